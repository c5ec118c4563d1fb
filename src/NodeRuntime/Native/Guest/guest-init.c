/*
 * fleetpods-guest-init: pid 1 of a stage1 `kvm` pod, inside the VM, from the initramfs FleetPods builds.
 *
 * It mounts /proc, /sys and /dev, loads the kernel modules the initramfs carries (listed in load order in
 * /modules/order, since busybox-less insmod cannot resolve dependencies), finds the two virtio-serial ports
 * by name and reads the pod from the control port: the supervisor on the host (fleetpods-shim, stage1 kvm) sends
 * the pod manifest the node wrote, ended by a NUL byte, and manifest.c reads it as the shim does. The node's
 * directories the manifest names reach the VM as 9p shares (its fleetpods.kvm.shares), mounted at
 * /fleetpods/9p/TAG: each app's root and each volume is taken from there.
 * Each app's root is then made as stage1 ns makes it (pod-root.c: /proc, /dev, /sys, volumes, mount points
 * reached without following links) under /apps/NAME, and the app runs chrooted there as its user
 * (identity.c: the pod's own /etc/passwd and /etc/group). Before the apps start, guest-network.c brings up
 * loopback and, on the bridge network, eth0.
 *
 * Output: each app's stdout and stderr are pipes read here and sent on the output port in frames of
 *     u8 stream (1 stdout, 2 stderr), u8 length of the app's name, u16 length of the data (little endian), name, data
 * Control port, guest to host, one line each: "started" once every app has exec'd, "failed REASON" when one
 * could not, "exited NAME CODE" per app, "ended CODE" (the first non-zero app code, as stage1 ns) before power-off.
 * Host to guest: "stop GRACE_MS": SIGTERM to every app, SIGKILL to what is left after the grace period.
 * Then everything is synced and the VM powers off (reboot(RB_POWER_OFF); qemu runs with -no-reboot).
 * A third port, fleetpods.enter, carries the `fleetpods enter` sessions, served in the same loop (enter-sessions.c).
 *
 * The kernel command line word fleetpods.probe makes it power off at once: the accelerator probe boots that.
 */
#include "../shim.h"
#include "guest-network.h"
#include "guest.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define OUT_PORT "fleetpods.out"
#define CTL_PORT "fleetpods.ctl"

struct pod pod;

static int out_port = -1, ctl_port = -1;
static char share_paths[MAX_SHARES][64];

/* Where share INDEX is mounted: /fleetpods/9p/TAG (the reader checked TAG is an AC name). */
static const char *share_path(int index)
{
    snprintf(share_paths[index], sizeof share_paths[index], "/fleetpods/9p/%s", pod.shares[index].tag);
    return share_paths[index];
}
int in_app;

struct running {
    pid_t pid;
    int out, err; /* pipes of its stdout and stderr, -1 once at end-of-file */
    int ended;
};
static struct running running[MAX_APPS];

static void control(const char *format, ...)
{
    char line[4200];
    va_list args;
    va_start(args, format);
    int n = vsnprintf(line, sizeof line - 1, format, args);
    va_end(args);
    if (n < 0)
        return;
    if (n > (int)sizeof line - 2)
        n = sizeof line - 2;
    for (int i = 0; i < n; i++)
        if (line[i] == '\n')
            line[i] = ' ';
    line[n++] = '\n';
    if (ctl_port >= 0 && write(ctl_port, line, (size_t)n) < 0)
        return;
}

static __attribute__((noreturn)) void power_off(void)
{
    sync();
    reboot(RB_POWER_OFF);
    _exit(1);
}

/*
 * In an app's process before its exec, the reason goes to init through the error pipe (as in fleetpods-shim);
 * in init itself the pod cannot start, which the host hears before the VM powers off.
 */
void fail(const char *format, ...)
{
    char text[4096];
    va_list args;
    va_start(args, format);
    int n = vsnprintf(text, sizeof text, format, args);
    va_end(args);
    if (n < 0)
        n = 0;
    if (n >= (int)sizeof text)
        n = sizeof text - 1;
    if (in_app) {
        if (write(pod.error[1], text, (size_t)n) < 0)
            _exit(127);
        _exit(127);
    }
    if (ctl_port < 0)
        fprintf(stderr, "fleetpods-guest-init: %s\n", text);
    control("failed %s", text);
    kill(-1, SIGKILL);
    power_off();
}

/* The parameters the kernel command line gives module NAME ("NAME.key=value" words), for finit_module. */
static void module_parameters(const char *cmdline, const char *name, char *out, size_t size)
{
    out[0] = 0;
    size_t length = strlen(name);
    char copy[4096];
    snprintf(copy, sizeof copy, "%s", cmdline);
    char *saved;
    for (char *word = strtok_r(copy, " \n", &saved); word; word = strtok_r(NULL, " \n", &saved)) {
        if (strncmp(word, name, length) == 0 && word[length] == '.') {
            size_t used = strlen(out);
            snprintf(out + used, size - used, "%s%s", used ? " " : "", word + length + 1);
        }
    }
}

static void load_modules(const char *cmdline)
{
    FILE *order = fopen("/modules/order", "re");
    if (!order)
        return;
    char name[256];
    while (fgets(name, sizeof name, order)) {
        name[strcspn(name, "\n")] = 0;
        if (!*name)
            continue;
        char path[512], parameters[4096];
        snprintf(path, sizeof path, "/modules/%s.ko", name);
        module_parameters(cmdline, name, parameters, sizeof parameters);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            fail("open %s: %s", path, strerror(errno));
        if (syscall(SYS_finit_module, fd, parameters, 0) != 0 && errno != EEXIST)
            fail("load module %s: %s", name, strerror(errno));
        close(fd);
    }
    fclose(order);
}

/* Ports appear as the virtio devices are probed. */
int find_port(const char *name, int attempts)
{
    for (int attempt = 0; attempt < attempts; attempt++) {
        DIR *ports = opendir("/sys/class/virtio-ports");
        struct dirent *entry;
        while (ports && (entry = readdir(ports))) {
            if (entry->d_name[0] == '.')
                continue;
            char path[512], found[256] = "";
            snprintf(path, sizeof path, "/sys/class/virtio-ports/%s/name", entry->d_name);
            int fd = open(path, O_RDONLY | O_CLOEXEC);
            if (fd < 0)
                continue;
            ssize_t n = read(fd, found, sizeof found - 1);
            close(fd);
            if (n <= 0)
                continue;
            found[n] = 0;
            found[strcspn(found, "\n")] = 0;
            if (strcmp(found, name) != 0)
                continue;
            snprintf(path, sizeof path, "/dev/%s", entry->d_name);
            int port = open(path, O_RDWR | O_CLOEXEC);
            if (port >= 0) {
                closedir(ports);
                return port;
            }
        }
        if (ports)
            closedir(ports);
        usleep(10000);
    }
    return -1;
}

/* The device of the virtio-serial port called NAME. */
static int open_port(const char *name)
{
    int port = find_port(name, 500);
    if (port < 0)
        fail("virtio-serial port %s did not appear", name);
    return port;
}

/* The pod manifest, sent by the supervisor on the control port and ended by a NUL byte; see the top of this file. */
static void read_pod(void)
{
    char *text = malloc(MAX_MANIFEST_BYTES + 1);
    if (!text)
        fail("out of memory");
    size_t used = 0;
    while (used == 0 || text[used - 1] != 0) {
        if (used == MAX_MANIFEST_BYTES + 1)
            fail("the pod manifest is larger than %d bytes", MAX_MANIFEST_BYTES);
        ssize_t n = read(ctl_port, text + used, MAX_MANIFEST_BYTES + 1 - used);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            fail("the host closed the control port before sending the pod manifest");
        used += (size_t)n;
    }
    if (strlen(text) != used - 1)
        fail("the host sent more than the pod manifest");
    read_manifest(text, used - 1);

    /* The node's paths in the manifest are shares here: each app's root and volume is where its share is mounted. */
    for (int i = 0; i < pod.app_count; i++) {
        struct app *app = &pod.apps[i];
        app->rootfs = share_path(app->root_share);
        app->lower = app->upper = app->work = NULL;
        for (int m = 0; m < app->mount_count; m++) {
            app->mounts[m].source = share_path(app->mounts[m].share);
            app->mounts[m].idmapped = 0;
        }
    }
}

static void mount_shares(void)
{
    make_dir("/fleetpods", 0755);
    make_dir("/fleetpods/9p", 0755);
    for (int i = 0; i < pod.share_count; i++) {
        const char *target = share_path(i);
        make_dir(target, 0755);
        /* access=client: the guest kernel checks permissions against the files' owners and modes, as a local filesystem. */
        must_mount(pod.shares[i].tag, target, "9p", pod.shares[i].read_only ? MS_RDONLY : 0,
                   "trans=virtio,version=9p2000.L,access=client,msize=262144,cache=none");
    }
}

void default_signals(void)
{
    for (int signal = 1; signal < NSIG; signal++)
        if (signal != SIGKILL && signal != SIGSTOP)
            sigaction(signal, &(struct sigaction){.sa_handler = SIG_DFL}, NULL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

void become_app(const struct app *app)
{
    char root[512];
    snprintf(root, sizeof root, "/apps/%s", app->name);
    if (chroot(root) != 0 || chdir("/") != 0)
        fail("chroot %s: %s", root, strerror(errno));
    drop_identity(app);
    if (app->cwd && chdir(app->cwd) != 0)
        fail("working directory %s: %s", app->cwd, strerror(errno));
}

static void start_app(int index)
{
    struct app *app = &pod.apps[index];
    int out[2], err[2];
    if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0 || pipe2(pod.error, O_CLOEXEC) != 0)
        fail("pipe: %s", strerror(errno));
    pid_t pid = fork();
    if (pid < 0)
        fail("fork: %s", strerror(errno));
    if (pid == 0) {
        in_app = 1;
        close(pod.error[0]);
        default_signals();
        int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (null < 0 || dup2(null, 0) < 0 || dup2(out[1], 1) < 0 || dup2(err[1], 2) < 0)
            fail("standard streams: %s", strerror(errno));
        become_app(app);
        environ = (char **)app->env;
        execvp(app->argv[0], app->argv);
        fail("exec %s: %s", app->argv[0], strerror(errno));
    }
    close(out[1]);
    close(err[1]);
    close(pod.error[1]);
    running[index] = (struct running){.pid = pid, .out = out[0], .err = err[0]};

    /* End-of-file on the error pipe (close-on-exec) means the app's program runs. */
    char reason[4097];
    ssize_t n;
    while ((n = read(pod.error[0], reason, sizeof reason - 1)) < 0 && errno == EINTR)
        ;
    close(pod.error[0]);
    if (n > 0) {
        reason[n] = 0;
        fail("%s", reason);
    }
}

/* Sends what the pipe holds as one frame; closes it at end-of-file. True when something was sent. */
static int forward(int index, int *pipe_fd, uint8_t stream)
{
    char frame[4 + 64 + 4096];
    const char *name = pod.apps[index].name;
    size_t name_length = strlen(name);
    ssize_t n = read(*pipe_fd, frame + 4 + name_length, 4096);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return 0;
    if (n <= 0) {
        close(*pipe_fd);
        *pipe_fd = -1;
        return 0;
    }
    frame[0] = (char)stream;
    frame[1] = (char)name_length;
    frame[2] = (char)(n & 0xff);
    frame[3] = (char)(n >> 8);
    memcpy(frame + 4, name, name_length);
    write_all(out_port, frame, 4 + name_length + (size_t)n);
    return 1;
}

static long now_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec * 1000L + now.tv_nsec / 1000000L;
}

static void signal_apps(int signal)
{
    for (int i = 0; i < pod.app_count; i++)
        if (!running[i].ended)
            kill(running[i].pid, signal);
}

/* Reads "stop GRACE_MS" lines from the host; returns the grace period asked for, or -1. */
static long read_stop(void)
{
    static char line[256];
    static size_t used;
    ssize_t n = read(ctl_port, line + used, sizeof line - 1 - used);
    if (n <= 0)
        return -1;
    used += (size_t)n;
    line[used] = 0;
    char *newline = strchr(line, '\n');
    if (!newline)
        return used == sizeof line - 1 ? (used = 0, -1) : -1;
    *newline = 0;
    long grace = strncmp(line, "stop ", 5) == 0 ? strtol(line + 5, NULL, 10) : -1;
    used = 0;
    return grace < 0 ? -1 : grace;
}

/* Forwards output, reaps, and honours a stop until every app has ended; returns the pod's code. */
static int supervise(int signals)
{
    int remaining = pod.app_count, code = 0;
    long kill_at = -1;
    while (remaining > 0) {
        struct pollfd fds[2 + 2 * MAX_APPS + ENTER_POLL_FDS];
        int count = 0;
        fds[count++] = (struct pollfd){.fd = signals, .events = POLLIN};
        fds[count++] = (struct pollfd){.fd = ctl_port, .events = POLLIN};
        for (int i = 0; i < pod.app_count; i++) {
            fds[count++] = (struct pollfd){.fd = running[i].out, .events = POLLIN};
            fds[count++] = (struct pollfd){.fd = running[i].err, .events = POLLIN};
        }
        int sessions = enter_poll(fds + count);
        count += sessions;
        int timeout = kill_at < 0 ? -1 : (int)(kill_at > now_ms() ? kill_at - now_ms() : 0);
        if (poll(fds, (nfds_t)count, timeout) < 0 && errno != EINTR)
            fail("poll: %s", strerror(errno));
        if (kill_at >= 0 && now_ms() >= kill_at) {
            signal_apps(SIGKILL);
            kill_at = -1;
        }
        for (int i = 0; i < pod.app_count; i++) {
            if (fds[2 + 2 * i].revents)
                forward(i, &running[i].out, 1);
            if (fds[3 + 2 * i].revents)
                forward(i, &running[i].err, 2);
        }
        enter_serve(fds + count - sessions, sessions);
        if (fds[1].revents & POLLIN) {
            long grace = read_stop();
            if (grace >= 0) {
                signal_apps(SIGTERM);
                kill_at = now_ms() + grace;
            }
        }
        if (fds[0].revents & POLLIN) {
            struct signalfd_siginfo info;
            if (read(signals, &info, sizeof info) < 0 && errno != EAGAIN)
                fail("signalfd: %s", strerror(errno));
            int status;
            pid_t ended;
            /* pid 1 reaps every orphan; an app's own end is recorded. */
            while ((ended = waitpid(-1, &status, WNOHANG)) > 0) {
                if (enter_reaped(ended, status))
                    continue;
                for (int i = 0; i < pod.app_count; i++) {
                    if (running[i].pid != ended || running[i].ended)
                        continue;
                    running[i].ended = 1;
                    remaining--;
                    int app_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
                    if (code == 0)
                        code = app_code;
                    control("exited %s %d", pod.apps[i].name, app_code);
                }
            }
        }
    }
    return code;
}

/* What the apps wrote before they ended and is still in their pipes; their children may hold them open, so no waiting. */
static void drain(void)
{
    for (int i = 0; i < pod.app_count; i++) {
        int *pipes[] = {&running[i].out, &running[i].err};
        for (int s = 0; s < 2; s++) {
            if (*pipes[s] >= 0 && fcntl(*pipes[s], F_SETFL, O_NONBLOCK) == 0)
                while (forward(i, pipes[s], (uint8_t)(s + 1)))
                    ;
        }
    }
}

int main(void)
{
    pod.dir_fd = -1;
    pod.userns_fd = -1;
    pod.uid_base = -1;
    pod.ready_fd = -1;
    mount("devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755");
    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
    mount("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);

    char cmdline[4096] = "";
    int fd = open("/proc/cmdline", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        ssize_t n = read(fd, cmdline, sizeof cmdline - 1);
        cmdline[n > 0 ? n : 0] = 0;
        close(fd);
    }
    if (strstr(cmdline, "fleetpods.probe"))
        power_off();

    load_modules(cmdline);
    ctl_port = open_port(CTL_PORT);
    out_port = open_port(OUT_PORT);
    enter_open_port();
    read_pod();
    if (sethostname(pod.hostname, strlen(pod.hostname)) != 0)
        fail("sethostname: %s", strerror(errno));
    guest_network_up();
    mount_shares();
    make_dir("/apps", 0755);
    for (int i = 0; i < pod.app_count; i++) {
        char root[512];
        snprintf(root, sizeof root, "/apps/%s", pod.apps[i].name);
        prepare_app_root(&pod.apps[i], root);
        if (chdir("/") != 0)
            fail("chdir /: %s", strerror(errno));
    }

    sigset_t child;
    sigemptyset(&child);
    sigaddset(&child, SIGCHLD);
    sigprocmask(SIG_BLOCK, &child, NULL);
    int signals = signalfd(-1, &child, SFD_CLOEXEC | SFD_NONBLOCK);
    if (signals < 0)
        fail("signalfd: %s", strerror(errno));
    for (int i = 0; i < pod.app_count; i++)
        start_app(i);
    control("started");

    int code = supervise(signals);
    drain();
    control("ended %d", code);
    kill(-1, SIGKILL);
    power_off();
}
