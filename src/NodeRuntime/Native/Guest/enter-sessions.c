/*
 * `fleetpods enter` inside a stage1 kvm guest: the sessions the host multiplexes on the virtio-serial port
 * fleetpods.enter (the frames: ../enter-frames.h). Each OPEN names an app, a command, extra environment and whether
 * a terminal is wanted; the command runs as the app's own processes do (start_app in guest-init.c): chrooted in
 * /apps/NAME, as the app's user, groups and working directory, with the app's environment (the extra variables
 * override it). With a terminal it gets a pty of the app's own devpts (its controlling terminal, in a session of its
 * own, sized as asked and resized by RESIZE); without, pipes. Its output goes back in frames as long as the session's
 * window allows, then its exit code once it has ended and its output is drained.
 *
 * Init never waits on a session: stdin and output are non-blocking and polled with the apps' pipes (see supervise).
 */
#include "../shim.h"
#include "../enter-frames.h"
#include "guest.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

struct session {
    uint32_t id;
    int used;
    pid_t pid;
    int tty;
    int in, out, err; /* the command's stdin (pipe or pty master), stdout (pipe or the master), stderr (pipe or -1) */
    unsigned char input[ENTER_WINDOW]; /* stdin the command has not read yet */
    size_t input_used;
    int input_ended; /* STDIN_EOF came: close stdin once input is written */
    uint32_t window; /* output the host may still take */
    int reaped, code;
    int abandoned; /* the host's client is gone: nothing more is sent */
};

static struct session sessions[ENTER_MAX_SESSIONS];
static int port = -1;
static unsigned char received[2 * ENTER_MAX_FRAME];
static size_t received_used;

static void send_frame(uint32_t id, int kind, const void *payload, size_t length)
{
    unsigned char frame[ENTER_MAX_FRAME];
    size_t size = enter_frame(frame, id, kind, payload, length);
    /* The host reads the port whatever its clients do, so a full port drains soon. */
    for (size_t at = 0; port >= 0 && at < size;) {
        ssize_t n = write(port, frame + at, size - at);
        if (n > 0)
            at += (size_t)n;
        else if (n < 0 && errno == EAGAIN)
            poll(&(struct pollfd){.fd = port, .events = POLLOUT}, 1, -1);
        else if (n < 0 && errno != EINTR)
            return;
    }
}

static void send_error(uint32_t id, const char *reason)
{
    send_frame(id, ENTER_ERROR, reason, strlen(reason)); /* every reason here is shorter than a payload */
}

static void send_count(uint32_t id, int kind, uint32_t value)
{
    unsigned char payload[4];
    enter_put32(payload, value);
    send_frame(id, kind, payload, sizeof payload);
}

static void close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

static void close_streams(struct session *session)
{
    if (session->in == session->out)
        session->in = -1;
    close_fd(&session->in);
    close_fd(&session->out);
    close_fd(&session->err);
}

static void release(struct session *session)
{
    close_streams(session);
    session->used = 0;
}

static struct session *find(uint32_t id)
{
    for (int i = 0; i < ENTER_MAX_SESSIONS; i++)
        if (sessions[i].used && sessions[i].id == id)
            return &sessions[i];
    return NULL;
}

void enter_open_port(void)
{
    port = find_port(ENTER_PORT, 100);
    if (port >= 0 && fcntl(port, F_SETFL, O_NONBLOCK) != 0)
        close_fd(&port);
}

/* The open's words: app, argv (argc of them), env (envc); false when the payload is not exactly that. */
static int parse_open(unsigned char *payload, size_t length, const char **app, char **argv, int *argc, char **env, int *envc,
                      int *tty, struct winsize *size)
{
    if (length < 9)
        return 0;
    *tty = payload[0] != 0;
    *size = (struct winsize){.ws_row = (unsigned short)enter_get16(payload + 1), .ws_col = (unsigned short)enter_get16(payload + 3)};
    *argc = (int)enter_get16(payload + 5);
    *envc = (int)enter_get16(payload + 7);
    if (*argc < 1)
        return 0;
    size_t at = 9;
    int words = 1 + *argc + *envc;
    for (int word = 0; word < words; word++) {
        unsigned char *end = at < length ? memchr(payload + at, 0, length - at) : NULL;
        if (!end)
            return 0;
        char *text = (char *)payload + at;
        if (word == 0)
            *app = text;
        else if (word <= *argc)
            argv[word - 1] = text;
        else if (strchr(text, '=') == NULL || text[0] == '=')
            return 0;
        else
            env[word - 1 - *argc] = text;
        at = (size_t)(end - payload) + 1;
    }
    argv[*argc] = NULL;
    env[*envc] = NULL;
    return at == length;
}

/* The app's environment with the session's variables over it. */
static char **merged_environment(const struct app *app, char **extra, int extra_count)
{
    char **env = calloc((size_t)app->env_count + (size_t)extra_count + 1, sizeof *env);
    if (!env)
        fail("out of memory");
    int count = 0;
    for (int i = 0; i < app->env_count; i++) {
        size_t name = strcspn(app->env[i], "=");
        int overridden = 0;
        for (int e = 0; e < extra_count && !overridden; e++)
            overridden = strncmp(extra[e], app->env[i], name + 1) == 0;
        if (!overridden)
            env[count++] = app->env[i];
    }
    for (int e = 0; e < extra_count; e++)
        env[count++] = extra[e];
    return env;
}

/* In the session's process: the app's root and identity, the session's streams, then the command. */
static __attribute__((noreturn)) void run_command(const struct app *app, int tty, int stdin_fd, int stdout_fd, int stderr_fd,
                                                   char **argv, char **extra, int extra_count)
{
    in_app = 1;
    default_signals();
    if (setsid() < 0)
        fail("setsid: %s", strerror(errno));
    if (tty && ioctl(stdin_fd, TIOCSCTTY, 0) != 0)
        fail("make the session's terminal its own: %s", strerror(errno));
    if (dup2(stdin_fd, 0) < 0 || dup2(stdout_fd, 1) < 0 || dup2(stderr_fd, 2) < 0)
        fail("standard streams: %s", strerror(errno));
    become_app(app);
    environ = merged_environment(app, extra, extra_count);
    execvp(argv[0], argv);
    fail("exec %s: %s", argv[0], strerror(errno));
}

/* Makes the command's streams: a pty of the app's devpts (master, slave) or three pipes; false with errno on failure. */
static int make_streams(const struct app *app, int tty, const struct winsize *size, int parent[3], int child[3])
{
    if (tty) {
        char path[512];
        snprintf(path, sizeof path, "/apps/%s/dev/pts/ptmx", app->name);
        int master = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC | O_NOFOLLOW);
        int unlock = 0;
        if (master < 0)
            return 0;
        int slave = ioctl(master, TIOCSPTLCK, &unlock) == 0 ? ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC) : -1;
        if (slave < 0 || (size->ws_row && size->ws_col && ioctl(master, TIOCSWINSZ, size) != 0)) {
            int saved = errno;
            close(master);
            if (slave >= 0)
                close(slave);
            errno = saved;
            return 0;
        }
        parent[0] = parent[1] = master;
        parent[2] = -1;
        child[0] = child[1] = child[2] = slave;
        return 1;
    }
    int pipes[3][2];
    int made = 0;
    for (; made < 3; made++)
        if (pipe2(pipes[made], O_CLOEXEC) != 0)
            break;
    if (made < 3) {
        int saved = errno;
        for (int i = 0; i < made; i++) {
            close(pipes[i][0]);
            close(pipes[i][1]);
        }
        errno = saved;
        return 0;
    }
    parent[0] = pipes[0][1];
    child[0] = pipes[0][0];
    for (int i = 1; i < 3; i++) {
        parent[i] = pipes[i][0];
        child[i] = pipes[i][1];
    }
    return 1;
}

static void start_session(uint32_t id, unsigned char *payload, size_t length)
{
    static char *argv[ENTER_MAX_PAYLOAD + 1], *extra[ENTER_MAX_PAYLOAD + 1];
    const char *name = NULL;
    int argc, envc, tty;
    struct winsize size;
    if (find(id))
        return send_error(id, "the session is already open");
    if (!parse_open(payload, length, &name, argv, &argc, extra, &envc, &tty, &size))
        return send_error(id, "the guest could not read the session's command");
    const struct app *app = NULL;
    for (int i = 0; i < pod.app_count && !app; i++)
        if (strcmp(pod.apps[i].name, name) == 0)
            app = &pod.apps[i];
    char reason[4200];
    if (!app) {
        snprintf(reason, sizeof reason, "the pod has no app '%.200s'", name);
        return send_error(id, reason);
    }
    struct session *session = NULL;
    for (int i = 0; i < ENTER_MAX_SESSIONS && !session; i++)
        if (!sessions[i].used)
            session = &sessions[i];
    if (!session)
        return send_error(id, "the pod already runs as many enter sessions as it can");

    int parent[3], child[3], error[2];
    if (!make_streams(app, tty, &size, parent, child)) {
        snprintf(reason, sizeof reason, "the session's %s: %s", tty ? "terminal" : "pipes", strerror(errno));
        return send_error(id, reason);
    }
    if (pipe2(error, O_CLOEXEC) != 0) {
        snprintf(reason, sizeof reason, "pipe: %s", strerror(errno));
        for (int i = 0; i < (tty ? 1 : 3); i++) {
            close(parent[i]);
            close(child[i]);
        }
        return send_error(id, reason);
    }
    pid_t pid = fork();
    if (pid == 0) {
        close(error[0]);
        pod.error[1] = error[1];
        run_command(app, tty, child[0], child[1], child[2], argv, extra, envc);
    }
    int saved = errno;
    close(error[1]);
    close(child[0]);
    if (!tty) {
        close(child[1]);
        close(child[2]);
    }
    *session = (struct session){.id = id, .used = 1, .pid = pid, .tty = tty, .in = parent[0], .out = parent[1], .err = parent[2], .window = ENTER_WINDOW};
    if (pid < 0) {
        close(error[0]);
        snprintf(reason, sizeof reason, "fork: %s", strerror(saved));
        release(session);
        return send_error(id, reason);
    }

    /* End-of-file on the error pipe (close-on-exec) means the command runs; the child holds it only briefly. */
    ssize_t n;
    while ((n = read(error[0], reason, sizeof reason - 1)) < 0 && errno == EINTR)
        ;
    close(error[0]);
    if (n > 0) {
        reason[n] = 0;
        /* Its process has failed and ends: reaped with the others, then forgotten. */
        session->abandoned = 1;
        close_streams(session);
        return send_error(id, reason);
    }
    for (int *fd = &session->in; fd <= &session->err; fd++)
        if (*fd >= 0)
            fcntl(*fd, F_SETFL, O_NONBLOCK);
    send_frame(id, ENTER_STARTED, NULL, 0);
}

/* Ends what the session's command left: the host's client is gone. */
static void abandon(struct session *session)
{
    if (!session->reaped) {
        kill(-session->pid, SIGKILL);
        kill(session->pid, SIGKILL);
    }
    session->abandoned = 1;
    close_streams(session);
    if (session->reaped)
        release(session);
}

static void write_input(struct session *session)
{
    while (session->in >= 0 && session->input_used > 0) {
        ssize_t n = write(session->in, session->input, session->input_used);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        /* A command that closed its stdin reads no more: what it was sent is dropped, and the window stays open. */
        size_t taken = n < 0 ? session->input_used : (size_t)n;
        memmove(session->input, session->input + taken, session->input_used - taken);
        session->input_used -= taken;
        send_count(session->id, ENTER_WINDOW_ACK, (uint32_t)taken);
        if (n < 0 && !session->tty)
            close_fd(&session->in);
    }
    if (session->input_ended && session->input_used == 0 && !session->tty)
        close_fd(&session->in);
}

/* Sends what one of the command's outputs holds, as far as the window allows; closes it at its end. */
static void read_output(struct session *session, int *fd, int kind)
{
    while (*fd >= 0 && session->window > 0) {
        unsigned char data[ENTER_CHUNK];
        size_t want = session->window < sizeof data ? session->window : sizeof data;
        ssize_t n = read(*fd, data, want);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return;
        if (n <= 0) {
            /* End-of-file, or EIO from a pty master whose slave is closed everywhere. */
            if (*fd == session->in)
                session->in = -1;
            close_fd(fd);
            return;
        }
        session->window -= (uint32_t)n;
        send_frame(session->id, kind, data, (size_t)n);
    }
}

/*
 * A session whose command has ended sends what its outputs still hold (its children may keep them open, so no
 * waiting for their end: what is there now), then its code.
 */
static void finish(struct session *session)
{
    if (!session->reaped || session->abandoned)
        return;
    read_output(session, &session->out, ENTER_STDOUT);
    read_output(session, &session->err, ENTER_STDERR);
    if (session->window == 0)
        return;
    send_count(session->id, ENTER_EXIT, (uint32_t)session->code);
    release(session);
}

static void take_frame(unsigned char *frame, size_t size)
{
    uint32_t id = enter_get32(frame);
    int kind = frame[4];
    unsigned char *payload = frame + ENTER_HEADER;
    size_t length = size - ENTER_HEADER;
    if (kind == ENTER_OPEN)
        return start_session(id, payload, length);
    struct session *session = find(id);
    if (!session || session->abandoned)
        return;
    switch (kind) {
    case ENTER_STDIN:
        if (length > sizeof session->input - session->input_used) {
            send_error(id, "the host sent more input than the session's window");
            return abandon(session);
        }
        if (session->in < 0) {
            send_count(id, ENTER_WINDOW_ACK, (uint32_t)length);
            return;
        }
        memcpy(session->input + session->input_used, payload, length);
        session->input_used += length;
        return write_input(session);
    case ENTER_STDIN_EOF:
        session->input_ended = 1;
        return write_input(session);
    case ENTER_RESIZE:
        if (session->tty && session->in >= 0 && length == 4) {
            struct winsize size = {.ws_row = (unsigned short)enter_get16(payload), .ws_col = (unsigned short)enter_get16(payload + 2)};
            ioctl(session->in, TIOCSWINSZ, &size);
        }
        return;
    case ENTER_SIGNAL:
        if (length == 1 && payload[0] >= 1 && payload[0] < NSIG && !session->reaped)
            kill(-session->pid, payload[0]);
        return;
    case ENTER_CLOSE:
        return abandon(session);
    case ENTER_WINDOW_ACK:
        if (length == 4) {
            uint32_t more = enter_get32(payload);
            session->window = more > ENTER_WINDOW - session->window ? ENTER_WINDOW : session->window + more;
            finish(session);
        }
        return;
    default:
        return;
    }
}

/* The host's frames; a port that sends what is not a frame is given up, and its sessions with it. */
static void read_port(void)
{
    for (;;) {
        ssize_t n = read(port, received + received_used, sizeof received - received_used);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return;
        if (n <= 0)
            break;
        received_used += (size_t)n;
        size_t at = 0;
        long size;
        while ((size = enter_complete(received + at, received_used - at)) > 0) {
            take_frame(received + at, (size_t)size);
            at += (size_t)size;
        }
        if (size < 0)
            break;
        memmove(received, received + at, received_used - at);
        received_used -= at;
    }
    for (int i = 0; i < ENTER_MAX_SESSIONS; i++)
        if (sessions[i].used)
            abandon(&sessions[i]);
    close_fd(&port);
}

int enter_poll(struct pollfd *fds)
{
    int count = 0;
    if (port < 0)
        return 0;
    fds[count++] = (struct pollfd){.fd = port, .events = POLLIN};
    for (int i = 0; i < ENTER_MAX_SESSIONS; i++) {
        struct session *session = &sessions[i];
        int used = session->used && !session->abandoned;
        fds[count++] = (struct pollfd){.fd = used && session->input_used > 0 ? session->in : -1, .events = POLLOUT};
        fds[count++] = (struct pollfd){.fd = used && session->window > 0 ? session->out : -1, .events = POLLIN};
        fds[count++] = (struct pollfd){.fd = used && session->window > 0 ? session->err : -1, .events = POLLIN};
    }
    return count;
}

void enter_serve(const struct pollfd *fds, int count)
{
    if (count == 0)
        return;
    for (int i = 0; i < ENTER_MAX_SESSIONS; i++) {
        struct session *session = &sessions[i];
        if (!session->used || session->abandoned)
            continue;
        const struct pollfd *mine = &fds[1 + 3 * i];
        if (mine[0].revents)
            write_input(session);
        if (mine[1].revents)
            read_output(session, &session->out, ENTER_STDOUT);
        if (mine[2].revents)
            read_output(session, &session->err, ENTER_STDERR);
    }
    if (fds[0].revents)
        read_port();
}

int enter_reaped(pid_t pid, int status)
{
    for (int i = 0; i < ENTER_MAX_SESSIONS; i++) {
        struct session *session = &sessions[i];
        if (!session->used || session->pid != pid || session->reaped)
            continue;
        session->reaped = 1;
        session->code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        if (session->abandoned)
            release(session);
        else
            finish(session);
        return 1;
    }
    return 0;
}
