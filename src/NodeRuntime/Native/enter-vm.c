/*
 * fleetpods-shim --enter-vm DIR --app NAME [--env NAME=VALUE]... [--output FILE [--stdin FIFO | --tty PATH]] -- ARGV...
 *
 * `fleetpods enter` into a stage1 kvm pod: the command runs inside the VM (the guest's init starts it in the app's
 * root with the app's identity and environment, see Guest/enter-sessions.c); this process only relays. It connects
 * to the pod supervisor's socket DIR/enter (kvm-enter.c), asks for the session, and relays its stdin, stdout, stderr
 * and terminal, the terminal's size (TIOCGWINSZ at the start, then on each SIGWINCH) and SIGINT, SIGTERM and SIGHUP;
 * its exit code is the command's. The options and their meaning are enter.c's: with --output (the daemon's
 * sessions) the output and this program's complaints go to FILE, stdin is the FIFO or empty, or --tty makes the
 * terminal (put in raw mode: the guest's own terminal does the line editing) the command's, and the original stdout
 * is held until the guest says the command runs.
 * Exit codes: the command's; 125 when it could not start (one line says why); 137 when the pod ended under it.
 */
#include "shim.h"
#include "enter-frames.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#define CODE_NOT_STARTED 125
#define CODE_POD_ENDED (128 + SIGKILL)

static const char *pod_dir;
static int cannot_send; /* the supervisor closed the connection: what it sent before is still read to the end */

/* The pod's id: the last name of its directory. */
static const char *pod_id(void)
{
    const char *slash = strrchr(pod_dir, '/');
    return slash && slash[1] ? slash + 1 : pod_dir;
}

static __attribute__((noreturn, format(printf, 2, 3))) void quit(int code, const char *format, ...)
{
    char text[4200];
    va_list args;
    va_start(args, format);
    vsnprintf(text, sizeof text, format, args);
    va_end(args);
    fprintf(stderr, "fleetpods-shim: %s\n", text);
    exit(code);
}

static void parse(int argc, char **argv)
{
    struct app *app = &pod.apps[0];
    pod.app_count = 1;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--") == 0) {
            app->argv = &argv[i + 1];
            app->argc = argc - i - 1;
            break;
        }
        if (i + 1 >= argc)
            usage("an option lacks its value");
        const char *value = argv[++i];
        if (strcmp(arg, "--enter-vm") == 0) pod_dir = value;
        else if (strcmp(arg, "--app") == 0) app->name = value;
        else if (strcmp(arg, "--stdin") == 0) pod.stdin_path = value;
        else if (strcmp(arg, "--tty") == 0) pod.tty_path = value;
        else if (strcmp(arg, "--output") == 0) pod.output_path = value;
        else if (strcmp(arg, "--env") == 0) {
            if (app->env_count >= MAX_ENV)
                usage("too many --env");
            if (!strchr(value, '=') || value[0] == '=')
                usage("--env takes NAME=VALUE");
            app->env[app->env_count++] = (char *)value;
        } else
            usage("unknown option");
    }
    if (!pod_dir || !app->name || !app->argv || app->argc == 0)
        usage("--enter-vm needs a pod directory, --app and a command (after --)");
    if (pod.stdin_path && pod.tty_path)
        usage("--stdin or --tty, not both");
    if ((pod.stdin_path || pod.tty_path) && !pod.output_path)
        usage("--stdin and --tty go with --output");
}

/* A send that fails is not the end: the supervisor closes the connection right after the session's exit, which may
 * still be unread here (an acknowledgement crossed it). The end is read from the connection. */
static void send_frame(int socket_fd, int kind, const void *payload, size_t length)
{
    unsigned char frame[ENTER_MAX_FRAME];
    size_t size = enter_frame(frame, 0, kind, payload, length);
    for (size_t at = 0; at < size && !cannot_send;) {
        ssize_t n = send(socket_fd, frame + at, size - at, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            cannot_send = 1;
        else
            at += (size_t)n;
    }
}

static size_t put_word(unsigned char *payload, size_t at, const char *word)
{
    size_t length = strlen(word) + 1;
    if (length > ENTER_MAX_PAYLOAD - at)
        quit(CODE_NOT_STARTED, "the command, its environment and the app's name take more than %d bytes", ENTER_MAX_PAYLOAD);
    memcpy(payload + at, word, length);
    return at + length;
}

static void send_open(int socket_fd, int terminal)
{
    const struct app *app = &pod.apps[0];
    unsigned char payload[ENTER_MAX_PAYLOAD];
    struct winsize size = {0};
    if (terminal >= 0 && ioctl(terminal, TIOCGWINSZ, &size) != 0)
        size = (struct winsize){0};
    if (app->argc > 0xffff)
        quit(CODE_NOT_STARTED, "the command has more than 65535 words");
    payload[0] = terminal >= 0;
    enter_put16(payload + 1, size.ws_row);
    enter_put16(payload + 3, size.ws_col);
    enter_put16(payload + 5, (unsigned)app->argc);
    enter_put16(payload + 7, (unsigned)app->env_count);
    size_t at = put_word(payload, 9, app->name);
    for (int i = 0; i < app->argc; i++)
        at = put_word(payload, at, app->argv[i]);
    for (int i = 0; i < app->env_count; i++)
        at = put_word(payload, at, app->env[i]);
    send_frame(socket_fd, ENTER_OPEN, payload, at);
}

static int connect_to_pod(void)
{
    int dir = open(pod_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0)
        quit(CODE_NOT_STARTED, "pod %s is not on this node: %s", pod_dir, strerror(errno));
    /* Through the directory's fd: its path may be longer than sun_path takes. */
    struct sockaddr_un address = {.sun_family = AF_UNIX};
    snprintf(address.sun_path, sizeof address.sun_path, "/proc/self/fd/%d/%s", dir, ENTER_SOCKET);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&address, sizeof address) != 0)
        quit(CODE_NOT_STARTED, "pod %s is not running: its VM takes no enter sessions (%s/%s: %s)", pod_id(), pod_dir, ENTER_SOCKET, strerror(errno));
    close(dir);
    return fd;
}

/* The terminal passes every byte to the guest's terminal, which echoes and edits lines itself. */
static void make_raw(int terminal)
{
    struct termios mode;
    if (tcgetattr(terminal, &mode) != 0)
        quit(CODE_NOT_STARTED, "%s is not a terminal: %s", pod.tty_path, strerror(errno));
    cfmakeraw(&mode);
    if (tcsetattr(terminal, TCSANOW, &mode) != 0)
        quit(CODE_NOT_STARTED, "raw mode on %s: %s", pod.tty_path, strerror(errno));
    /* Its own terminal, so that a change of size signals this process (SIGWINCH). */
    if (setsid() < 0 || ioctl(terminal, TIOCSCTTY, 0) != 0)
        quit(CODE_NOT_STARTED, "make %s this relay's terminal: %s", pod.tty_path, strerror(errno));
}

static void write_all_or_drop(int fd, const unsigned char *data, size_t length)
{
    /* A reader that is gone loses the output; the session goes on, as a command writing to a closed pipe would. */
    write_all(fd, (const char *)data, length);
}

int enter_vm(int argc, char **argv)
{
    pod.dir_fd = -1;
    pod.ready_fd = -1;
    pod.console_fd = -1;
    parse(argc, argv);
    signal(SIGPIPE, SIG_IGN);
    open_session();
    int terminal = pod.tty_path ? pod.console_fd : -1;
    int input = pod.output_path ? pod.console_fd : STDIN_FILENO;
    int output = terminal >= 0 ? terminal : STDOUT_FILENO, errors = terminal >= 0 ? terminal : STDERR_FILENO;
    if (terminal >= 0)
        make_raw(terminal);

    sigset_t relayed;
    sigemptyset(&relayed);
    int signals_relayed[] = {SIGWINCH, SIGINT, SIGTERM, SIGHUP};
    for (size_t i = 0; i < sizeof signals_relayed / sizeof *signals_relayed; i++)
        sigaddset(&relayed, signals_relayed[i]);
    sigprocmask(SIG_BLOCK, &relayed, NULL);
    int signals = signalfd(-1, &relayed, SFD_CLOEXEC | SFD_NONBLOCK);
    if (signals < 0)
        quit(CODE_NOT_STARTED, "signalfd: %s", strerror(errno));

    int socket_fd = connect_to_pod();
    send_open(socket_fd, terminal);

    uint32_t window = ENTER_WINDOW;
    int input_open = 1;
    unsigned char received[2 * ENTER_MAX_FRAME];
    size_t received_used = 0;
    for (;;) {
        struct pollfd fds[] = {
            {.fd = socket_fd, .events = POLLIN},
            {.fd = signals, .events = POLLIN},
            {.fd = input_open && window > 0 && !cannot_send ? input : -1, .events = POLLIN},
        };
        if (poll(fds, 3, -1) < 0 && errno != EINTR)
            quit(CODE_POD_ENDED, "poll: %s", strerror(errno));

        if (fds[2].revents) {
            unsigned char data[ENTER_CHUNK];
            ssize_t n = read(input, data, window < sizeof data ? window : sizeof data);
            if (n > 0) {
                window -= (uint32_t)n;
                send_frame(socket_fd, ENTER_STDIN, data, (size_t)n);
            } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
                input_open = 0;
                if (terminal < 0)
                    send_frame(socket_fd, ENTER_STDIN_EOF, NULL, 0);
            }
        }

        if (fds[1].revents) {
            struct signalfd_siginfo info;
            while (read(signals, &info, sizeof info) == sizeof info) {
                if (info.ssi_signo == SIGWINCH) {
                    struct winsize size;
                    unsigned char payload[4];
                    if (terminal >= 0 && ioctl(terminal, TIOCGWINSZ, &size) == 0) {
                        enter_put16(payload, size.ws_row);
                        enter_put16(payload + 2, size.ws_col);
                        send_frame(socket_fd, ENTER_RESIZE, payload, sizeof payload);
                    }
                } else {
                    unsigned char number = (unsigned char)info.ssi_signo;
                    send_frame(socket_fd, ENTER_SIGNAL, &number, 1);
                }
            }
        }

        if (fds[0].revents) {
            ssize_t n = recv(socket_fd, received + received_used, sizeof received - received_used, 0);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                quit(CODE_POD_ENDED, "pod %s has ended, and this command with it", pod_id());
            received_used += (size_t)n;
            size_t at = 0;
            long size;
            while ((size = enter_complete(received + at, received_used - at)) > 0) {
                const unsigned char *frame = received + at, *payload = frame + ENTER_HEADER;
                size_t length = (size_t)size - ENTER_HEADER;
                at += (size_t)size;
                switch (frame[4]) {
                case ENTER_STARTED:
                    if (pod.ready_fd >= 0)
                        close(pod.ready_fd);
                    pod.ready_fd = -1;
                    break;
                case ENTER_STDOUT:
                case ENTER_STDERR: {
                    write_all_or_drop(frame[4] == ENTER_STDOUT ? output : errors, payload, length);
                    unsigned char ack[4];
                    enter_put32(ack, (uint32_t)length);
                    send_frame(socket_fd, ENTER_WINDOW_ACK, ack, sizeof ack);
                    break;
                }
                case ENTER_WINDOW_ACK:
                    if (length == 4) {
                        uint32_t more = enter_get32(payload);
                        window = more > ENTER_WINDOW - window ? ENTER_WINDOW : window + more;
                    }
                    break;
                case ENTER_EXIT:
                    return length == 4 ? (int)(enter_get32(payload) & 0xff) : CODE_POD_ENDED;
                case ENTER_ERROR:
                    quit(CODE_NOT_STARTED, "%.*s", (int)length, (const char *)payload);
                default:
                    break;
                }
            }
            if (size < 0)
                quit(CODE_POD_ENDED, "the supervisor of pod %s sent what is not an enter frame", pod_id());
            memmove(received, received + at, received_used - at);
            received_used -= at;
        }
    }
}
