/*
 * fleetpods-shim --stage1 kvm: the supervisor of a pod that runs inside a qemu microVM.
 *
 * The same supervisor as stage1 ns and fly, so the daemon treats every pod alike: it records "<shim pid>
 * <qemu pid>" in DIR/pid, the pod's output in DIR/log, its end in DIR/exit or DIR/failure, and it outlives the
 * daemon. Its one child is qemu; no app process exists on the host. What it does:
 *   - mounts each app's overlay where the manifest shares its root with the VM, in a mount namespace of its own,
 *     which qemu shares and which goes with them, so nothing is mounted in the host's namespace;
 *   - makes two socket pairs and gives qemu their guest ends as fds 3 (control) and 4 (output), which the qemu
 *     command line (the manifest's fleetpods.kvm.machine, made by the daemon) names as virtio-serial ports;
 *   - and a third, fd 5, the port fleetpods.enter, onto which it multiplexes the `fleetpods enter` sessions that
 *     connect to its socket DIR/enter (kvm-enter.c);
 *   - on the bridge network, makes the VM's tap device on the node's bridge and gives it to qemu as fd 6, the
 *     command line's virtio-net device (network.c);
 *   - sends the guest's init the pod manifest itself, ended by a NUL byte, on the control port;
 *   - writes the data of the output port's frames to DIR/log, and takes the control port's lines: "started"
 *     (the launch is decided: the launcher's pipe is closed), "failed REASON" (DIR/failure), "ended CODE";
 *   - records in DIR/boot how many milliseconds passed from qemu's start to "started", the VM's boot-to-app time;
 *   - on SIGTERM asks the guest to stop its apps with the grace period in DIR/stop (milliseconds), which the
 *     daemon writes first; a SIGKILL to qemu (the daemon's --force) ends the VM at once and the pod with 128+9.
 * See Guest/guest-init.c for the other end.
 */
#include "shim.h"
#include "kvm-enter.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define GUEST_CONTROL_FD 3
#define GUEST_OUTPUT_FD 4
#define GUEST_ENTER_FD 5
#define GUEST_TAP_FD 6
#define DEFAULT_GRACE_MS 10000

static void mount_overlays(void)
{
    if (unshare(CLONE_NEWNS) != 0)
        fail("unshare a mount namespace: %s", strerror(errno));
    must_mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
    for (int i = 0; i < pod.overlay_count; i++) {
        const struct overlay *overlay = &pod.overlays[i];
        char options[16384];
        int n = snprintf(options, sizeof options, "lowerdir=%s,upperdir=%s,workdir=%s", overlay->lower, overlay->upper, overlay->work);
        if (n < 0 || n >= (int)sizeof options)
            fail("overlay options too long");
        make_dir(overlay->target, 0755);
        must_mount("overlay", overlay->target, "overlay", 0, options);
    }
}

static void send_manifest(int control)
{
    size_t length;
    char *manifest = load_manifest_file(pod.dir_fd, MANIFEST_FILE, &length);
    write_all(control, manifest, length + 1);
    free(manifest);
}

static long requested_grace(void)
{
    char text[32] = "";
    int fd = openat(pod.dir_fd, "stop", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return DEFAULT_GRACE_MS;
    ssize_t n = read(fd, text, sizeof text - 1);
    close(fd);
    text[n > 0 ? n : 0] = 0;
    char *end;
    long grace = strtol(text, &end, 10);
    return end == text || grace < 0 ? DEFAULT_GRACE_MS : grace;
}

static pid_t start_vm(int control, int output, int enter, int tap)
{
    int console = openat(pod.dir_fd, "console", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0640);
    if (console < 0)
        fail("open %s/console: %s", pod.pod_dir, strerror(errno));
    pid_t child = fork();
    if (child < 0)
        fail("fork: %s", strerror(errno));
    if (child == 0) {
        /* The VM dies with its supervisor: nothing is left running that nobody watches. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        /* qemu asks for huge pages on the guest's RAM and TCG's code buffer (madvise), so one byte a guest touches
         * would cost the host 2 MiB: an idle guest held its whole RAM. Without them the host holds what is touched. */
        if (prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) < 0)
            fail("turn off transparent huge pages for qemu: %s", strerror(errno));
        for (int i = 0; i < pod.cgroup_count; i++) {
            char path[4096];
            snprintf(path, sizeof path, "%s/cgroup.procs", pod.cgroups[i]);
            int fd = open(path, O_WRONLY | O_CLOEXEC);
            if (fd < 0 || write(fd, "0", 1) != 1)
                fail("join cgroup %s: %s", pod.cgroups[i], strerror(errno));
            close(fd);
        }
        /* Above every target first (the console too), so no dup2 overwrites another's source. */
        int high_control = fcntl(control, F_DUPFD, 10), high_output = fcntl(output, F_DUPFD, 10);
        int high_enter = fcntl(enter, F_DUPFD, 10), high_console = fcntl(console, F_DUPFD, 10);
        int high_tap = tap >= 0 ? fcntl(tap, F_DUPFD, 10) : -1;
        if (high_control < 0 || high_output < 0 || dup2(high_control, GUEST_CONTROL_FD) < 0 || dup2(high_output, GUEST_OUTPUT_FD) < 0)
            fail("hand qemu its ports: %s", strerror(errno));
        if (tap >= 0 && (high_tap < 0 || dup2(high_tap, GUEST_TAP_FD) < 0))
            fail("hand qemu its tap device: %s", strerror(errno));
        close(high_control);
        close(high_output);
        if (high_tap >= 0)
            close(high_tap);
        if (high_enter < 0 || high_console < 0 || dup2(high_enter, GUEST_ENTER_FD) < 0)
            fail("hand qemu its enter port: %s", strerror(errno));
        close(high_enter);
        dup2(high_console, STDOUT_FILENO);
        dup2(high_console, STDERR_FILENO);
        close(high_console);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(SIGHUP, SIG_DFL);
        signal(SIGINT, SIG_DFL);
        signal(SIGPIPE, SIG_DFL);
        execv(pod.vm_argv[0], pod.vm_argv);
        fail("exec %s: %s", pod.vm_argv[0], strerror(errno));
    }
    close(console);
    return child;
}

static long monotonic_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec * 1000L + now.tv_nsec / 1000000L;
}

struct relay {
    long vm_started_at;
    char frames[4 + 255 + 65536 + 4096];
    size_t frame_bytes;
    char lines[8192];
    size_t line_bytes;
    int started, ended, code, stop_pending;
};

/* The output port's frames (see guest-init.c): their data goes to the log, which is our stdout. */
static void take_output(struct relay *relay, const char *data, size_t length)
{
    if (length > sizeof relay->frames - relay->frame_bytes)
        length = sizeof relay->frames - relay->frame_bytes;
    memcpy(relay->frames + relay->frame_bytes, data, length);
    relay->frame_bytes += length;
    size_t at = 0;
    while (relay->frame_bytes - at >= 4) {
        const uint8_t *header = (const uint8_t *)relay->frames + at;
        size_t name = header[1], size = (size_t)header[2] | (size_t)header[3] << 8;
        if (relay->frame_bytes - at < 4 + name + size)
            break;
        write_all(STDOUT_FILENO, relay->frames + at + 4 + name, size);
        at += 4 + name + size;
    }
    memmove(relay->frames, relay->frames + at, relay->frame_bytes - at);
    relay->frame_bytes -= at;
}

static void decided(void)
{
    if (pod.ready_fd >= 0) {
        close(pod.ready_fd);
        pod.ready_fd = -1;
    }
}

static void take_control(struct relay *relay, const char *data, size_t length, int control)
{
    if (length > sizeof relay->lines - 1 - relay->line_bytes)
        length = sizeof relay->lines - 1 - relay->line_bytes;
    memcpy(relay->lines + relay->line_bytes, data, length);
    relay->line_bytes += length;
    relay->lines[relay->line_bytes] = 0;
    char *line = relay->lines, *newline;
    while ((newline = strchr(line, '\n'))) {
        *newline = 0;
        if (strcmp(line, "started") == 0) {
            relay->started = 1;
            char boot[32];
            snprintf(boot, sizeof boot, "%ld\n", monotonic_ms() - relay->vm_started_at);
            write_record("boot", boot);
            if (relay->stop_pending) {
                char stop[64];
                snprintf(stop, sizeof stop, "stop %ld\n", requested_grace());
                write_all(control, stop, strlen(stop));
            }
            decided();
        } else if (strncmp(line, "failed ", 7) == 0) {
            char reason[4200];
            snprintf(reason, sizeof reason, "%s\n", line + 7);
            write_record("failure", reason);
            decided();
        } else if (strncmp(line, "ended ", 6) == 0) {
            relay->ended = 1;
            relay->code = atoi(line + 6);
        }
        line = newline + 1;
    }
    relay->line_bytes = strlen(line);
    memmove(relay->lines, line, relay->line_bytes);
    if (relay->line_bytes == sizeof relay->lines - 1)
        relay->line_bytes = 0;
}

/* Reads one port; false at end-of-file. */
static int read_port(int fd, struct relay *relay, int is_control, int control)
{
    char buffer[65536];
    ssize_t n = read(fd, buffer, sizeof buffer);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return 1;
    if (n <= 0)
        return 0;
    if (is_control)
        take_control(relay, buffer, (size_t)n, control);
    else
        take_output(relay, buffer, (size_t)n);
    return 1;
}

int run_vm(void)
{
    mount_overlays();
    int control[2], output[2], enter[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, control) != 0 || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, output) != 0)
        fail("socketpair: %s", strerror(errno));
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, enter) != 0)
        fail("socketpair: %s", strerror(errno));
    enter_relay_listen(enter[0]);

    sigset_t watched;
    sigemptyset(&watched);
    sigaddset(&watched, SIGCHLD);
    sigaddset(&watched, SIGTERM);
    sigprocmask(SIG_BLOCK, &watched, NULL);
    int signals = signalfd(-1, &watched, SFD_CLOEXEC | SFD_NONBLOCK);
    if (signals < 0)
        fail("signalfd: %s", strerror(errno));

    static struct relay relay;
    relay.vm_started_at = monotonic_ms();
    /* qemu holds the VM's tap alone (-netdev tap,fd=6), so the tap ends with qemu: see network.c. */
    int tap = network_vm_tap();
    pid_t vm = start_vm(control[1], output[1], enter[1], tap);
    close(control[1]);
    close(output[1]);
    close(enter[1]);
    if (tap >= 0)
        close(tap);
    char record[64];
    snprintf(record, sizeof record, "%d %d\n", (int)getpid(), (int)vm);
    write_record("pid", record);
    /* Buffered in the socket until the guest opens its port: qemu reads a port's chardev only then. */
    send_manifest(control[0]);

    int status = 0, vm_running = 1;
    while (vm_running) {
        struct pollfd fds[3 + ENTER_RELAY_POLL_FDS] = {{.fd = signals, .events = POLLIN}, {.fd = control[0], .events = POLLIN}, {.fd = output[0], .events = POLLIN}};
        int sessions = enter_relay_poll(fds + 3);
        if (poll(fds, (nfds_t)(3 + sessions), -1) < 0 && errno != EINTR)
            fail("poll: %s", strerror(errno));
        enter_relay_serve(fds + 3);
        if (fds[2].revents && !read_port(output[0], &relay, 0, control[0]))
            fds[2].fd = -1;
        if (fds[1].revents && !read_port(control[0], &relay, 1, control[0]))
            fds[1].fd = -1;
        if (fds[0].revents & POLLIN) {
            struct signalfd_siginfo info;
            while (read(signals, &info, sizeof info) == sizeof info) {
                if (info.ssi_signo == SIGTERM) {
                    /* Before "started" the guest still reads its description: the stop waits for it. */
                    relay.stop_pending = 1;
                    if (relay.started) {
                        char stop[64];
                        snprintf(stop, sizeof stop, "stop %ld\n", requested_grace());
                        write_all(control[0], stop, strlen(stop));
                    }
                }
            }
            if (waitpid(vm, &status, WNOHANG) == vm)
                vm_running = 0;
        }
    }
    enter_relay_end();
    /* qemu is gone, and with it the guest ends of the ports: what they still hold is read to end-of-file. */
    while (read_port(output[0], &relay, 0, control[0]))
        ;
    while (read_port(control[0], &relay, 1, control[0]))
        ;

    if (faccessat(pod.dir_fd, "failure", F_OK, 0) != 0) {
        if (relay.ended) {
            snprintf(record, sizeof record, "%d\n", relay.code);
            write_record("exit", record);
        } else if (WIFSIGNALED(status)) {
            snprintf(record, sizeof record, "%d\n", 128 + WTERMSIG(status));
            write_record("exit", record);
        } else {
            char reason[4600];
            snprintf(reason, sizeof reason, "the VM ended before its apps did: qemu exited with status %d (its messages: %s/console)\n",
                     WEXITSTATUS(status), pod.pod_dir);
            write_record("failure", reason);
        }
    }
    decided();
    for (int i = 0; i < pod.cgroup_count; i++)
        rmdir(pod.cgroups[i]);
    return 0;
}
