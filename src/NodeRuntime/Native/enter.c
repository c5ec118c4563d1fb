/*
 * fleetpods-shim --enter PID [--stage1 ns|fly] [--cgroup DIR]... [--user U] [--group G]
 *                [--output FILE [--stdin FIFO | --tty PATH]] -- ARGV...
 *
 * Runs a command inside a running app, as `rkt enter` did: it joins the app's cgroups and namespaces
 * (setns; its user namespace last, since the others belong to the host's), its root directory, and as the
 * app does under stage1 ns, runc's capabilities, no_new_privs and the seccomp filter. Its exit code is
 * the command's. Without --output the caller's terminal is the command's: nothing is redirected. With it (the
 * daemon's enter sessions) the command's output and this program's complaints are appended to FILE, its stdin is
 * the FIFO or empty, or --tty makes the terminal its stdin, stdout, stderr and controlling terminal; and the
 * original stdout is held (close-on-exec) until the command's exec, so end-of-file on it tells the daemon the
 * command has its console.
 */
#include "shim.h"
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static int open_namespace(pid_t target, const char *name)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/ns/%s", (int)target, name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, "fleetpods-shim: open %s: %s\n", path, strerror(errno));
        exit(125);
    }
    return fd;
}

/* True when the target's namespace of this kind is not ours (joining our own user namespace is refused). */
static int differs(pid_t target, const char *name)
{
    char path[64];
    struct stat theirs, ours;
    snprintf(path, sizeof path, "/proc/%d/ns/%s", (int)target, name);
    if (stat(path, &theirs) != 0)
        return 0;
    snprintf(path, sizeof path, "/proc/self/ns/%s", name);
    if (stat(path, &ours) != 0)
        return 1;
    return theirs.st_ino != ours.st_ino || theirs.st_dev != ours.st_dev;
}

/* The daemon's session: output to FILE, the console opened here for the command, the launcher's pipe held. */
void open_session(void)
{
    if (!pod.output_path)
        return;
    pod.ready_fd = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
    int output = open(pod.output_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);
    if (output < 0 || dup2(output, STDOUT_FILENO) < 0 || dup2(output, STDERR_FILENO) < 0)
        exit(125);
    close(output);
    const char *console = pod.tty_path ? pod.tty_path : pod.stdin_path ? pod.stdin_path : "/dev/null";
    pod.console_fd = open(console, (pod.tty_path ? O_RDWR : O_RDONLY) | O_NOCTTY | O_CLOEXEC);
    if (pod.console_fd < 0) {
        fprintf(stderr, "fleetpods-shim: open %s: %s\n", console, strerror(errno));
        exit(125);
    }
}

int enter_app(pid_t target, const struct app *app)
{
    /* Failures before the exec go to the caller's terminal (or the session's output), not to the pod's records. */
    pod.dir_fd = -1;
    pod.ready_fd = -1;
    open_session();
    for (int i = 0; i < pod.cgroup_count; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/cgroup.procs", pod.cgroups[i]);
        int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0 || dprintf(fd, "%d\n", (int)getpid()) < 0) {
            fprintf(stderr, "fleetpods-shim: join cgroup %s: %s\n", pod.cgroups[i], strerror(errno));
            return 125;
        }
        close(fd);
    }

    const char *kinds[] = {"ipc", "uts", "net", "pid", "mnt"};
    int fds[5], user = -1;
    for (int i = 0; i < 5; i++)
        fds[i] = differs(target, kinds[i]) ? open_namespace(target, kinds[i]) : -1;
    if (differs(target, "user"))
        user = open_namespace(target, "user");
    char root_path[64];
    snprintf(root_path, sizeof root_path, "/proc/%d/root", (int)target);
    int root = open(root_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (root < 0) {
        fprintf(stderr, "fleetpods-shim: open %s: %s\n", root_path, strerror(errno));
        return 125;
    }
    for (int i = 0; i < 5; i++) {
        if (fds[i] >= 0 && setns(fds[i], 0) != 0) {
            fprintf(stderr, "fleetpods-shim: join the app's %s namespace: %s\n", kinds[i], strerror(errno));
            return 125;
        }
    }
    if (fchdir(root) != 0 || chroot(".") != 0 || chdir("/") != 0) {
        fprintf(stderr, "fleetpods-shim: enter the app's root: %s\n", strerror(errno));
        return 125;
    }

    /* The pid namespace takes effect for children only. */
    pid_t child = fork();
    if (child < 0) {
        fprintf(stderr, "fleetpods-shim: fork: %s\n", strerror(errno));
        return 125;
    }
    if (child == 0) {
        attach_console();
        if (user >= 0 && setns(user, CLONE_NEWUSER) != 0)
            fail("join the app's user namespace: %s", strerror(errno));
        if (pod.stage1 == STAGE1_NS)
            limit_capabilities();
        drop_identity(app);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (pod.stage1 == STAGE1_NS)
            lock_down();
        environ = (char **)app->env;
        execvp(app->argv[0], app->argv);
        fail("exec %s: %s", app->argv[0], strerror(errno));
    }
    if (pod.console_fd >= 0)
        close(pod.console_fd);
    if (pod.ready_fd >= 0)
        close(pod.ready_fd);
    signal(SIGINT, SIG_IGN);
    signal(SIGQUIT, SIG_IGN);
    int status;
    while (waitpid(child, &status, 0) < 0)
        if (errno != EINTR)
            return 125;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
