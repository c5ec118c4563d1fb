/*
 * fleetpods-shim: the per-pod supervisor of stage1 `ns` and `fly` (and of `kvm`, see kvm.c).
 *
 * Why a native process per pod: pods must outlive fleetpodsd (it can be SIGKILLed and restarted,
 * and finds its pods again), and the per-pod host overhead goal is under 1 MB, which a .NET
 * process cannot meet; a static C supervisor can, as containerd's shim and podman's conmon do.
 * Why not in the daemon: creating PID and mount namespaces needs a single-threaded caller (unshare and
 * setns refuse a multi-threaded one), and fork in a multi-threaded runtime such as .NET's is unsafe.
 *
 * Usage: fleetpods-shim --pod-dir DIR
 * runs the pod that DIR/manifest.json describes (manifest.c reads and checks it; the node wrote it). Also:
 *   fleetpods-shim --enter PID ... runs a command in a running app instead: see enter.c;
 *   fleetpods-shim --enter-vm DIR ... runs one in a stage1 kvm pod's guest: see enter-vm.c;
 *   fleetpods-shim --check-manifest FILE reads a manifest and says what is wrong with it, for tests and fuzzing;
 *   a manifest for stage1 kvm runs the pod inside a qemu microVM instead: see kvm.c.
 *
 * It detaches (setsid), clones the pod's first process into new PID, mount, UTS, IPC and (unless the host's)
 * network namespaces (fly: a mount namespace only), records "<shim pid> <pod pid>" in DIR/pid once cloned,
 * puts the pod in its cgroups and network, then lets it go on: it mounts the apps' roots and runs them. One
 * app is the pod's pid 1 itself; several apps get this program as their pid 1, which starts each in its own
 * root and ends the pod when all have ended. The supervisor waits and records the pod's exit code (or
 * 128+signal) in DIR/exit; a failure before an app's exec goes to DIR/failure, and so does "out of memory"
 * when the pod's memory cgroup killed a process, whose count of such kills goes to DIR/oom. A single app's stdin is empty, or the FIFO the manifest's console names;
 * with a tty there, its stdin, stdout and stderr are that terminal, its controlling terminal in a session of its own.
 * Every record is written to a temporary name, fsynced and renamed, so a reader never sees half a file.
 *
 * Whoever started the shim learns that the launch is decided without polling: the shim's original
 * stdout is held open (close-on-exec) by the pod's processes until their exec, and by the shim until
 * DIR/pid is written and every app has exec'd or a failure is recorded (the pod's processes hold a failure
 * pipe until their exec, see main); end-of-file on it means "look".
 */
#include "shim.h"
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define STACK_SIZE (256 * 1024)

struct pod pod;

void write_record(const char *name, const char *text)
{
    char tmp[256];
    snprintf(tmp, sizeof tmp, ".%s.tmp", name);
    int fd = openat(pod.dir_fd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0640);
    if (fd < 0)
        return;
    size_t len = strlen(text);
    if (write(fd, text, len) == (ssize_t)len && fsync(fd) == 0) {
        close(fd);
        renameat(pod.dir_fd, tmp, pod.dir_fd, name);
    } else {
        close(fd);
        unlinkat(pod.dir_fd, tmp, 0);
    }
}

/* Records why the pod could not start and ends the calling process. */
void fail(const char *format, ...)
{
    char text[4096];
    va_list args;
    va_start(args, format);
    int n = vsnprintf(text, sizeof text - 2, format, args);
    va_end(args);
    if (n < 0)
        n = 0;
    if (n > (int)sizeof text - 2)
        n = sizeof text - 2;
    text[n] = '\n';
    text[n + 1] = 0;
    if (pod.dir_fd < 0) {
        /* --enter: the caller reads why on its terminal. */
        fprintf(stderr, "fleetpods-shim: %s", text);
        _exit(125);
    }
    write_record("failure", text);
    /* An app that already switched to its user may not write the pod's directory: its supervisor records this. */
    if (pod.error[1] > 0 && write(pod.error[1], text, (size_t)n + 1) < 0)
        _exit(127);
    _exit(127);
}

/* Runs a host tool (its output goes to the pod's log) and fails the pod if it does not succeed. */
void run_ip_batch(const char *commands)
{
    int input[2];
    if (pipe2(input, O_CLOEXEC) != 0)
        fail("pipe: %s", strerror(errno));
    pid_t child = fork();
    if (child < 0)
        fail("fork: %s", strerror(errno));
    if (child == 0) {
        dup2(input[0], STDIN_FILENO);
        char *argv[] = {(char *)pod.ip_tool, "-batch", "-", NULL};
        char *empty[] = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL};
        execve(argv[0], argv, empty);
        _exit(127);
    }
    close(input[0]);
    /* A few short lines: far less than a pipe holds, so this cannot block on the child. */
    size_t length = strlen(commands);
    if (write(input[1], commands, length) != (ssize_t)length)
        fail("writing to %s: %s", pod.ip_tool, strerror(errno));
    close(input[1]);
    int status;
    while (waitpid(child, &status, 0) < 0)
        if (errno != EINTR)
            fail("waitpid: %s", strerror(errno));
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail("%s -batch failed with status %d on: %s", pod.ip_tool, status, commands);
}

/* Waits until the supervisor has put this process in its cgroups and network; ends quietly if it died instead. */
static void wait_for_go(void)
{
    close(pod.go[1]);
    char go = 0;
    while (read(pod.go[0], &go, 1) < 0 && errno == EINTR)
        ;
    if (go != 'g')
        _exit(127);
    close(pod.go[0]);
}

static void default_signals(void)
{
    /* Ignored signals stay ignored across exec; the app starts with the defaults. */
    signal(SIGHUP, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGCHLD, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

/* The last steps of an app, in its root: its user, its capabilities and filter, its program. */
static void exec_app(const struct app *app)
{
    if (pod.userns_fd >= 0) {
        if (setns(pod.userns_fd, CLONE_NEWUSER) != 0)
            fail("join the pod's user namespace: %s", strerror(errno));
        close(pod.userns_fd);
    }
    if (pod.stage1 == STAGE1_NS)
        limit_capabilities();
    drop_identity(app);
    /* The kernel clears the parent-death signal when the credentials change, so it is set again. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (app->cwd && chdir(app->cwd) != 0)
        fail("working directory %s: %s", app->cwd, strerror(errno));
    if (pod.stage1 == STAGE1_NS)
        lock_down();
    default_signals();
    environ = (char **)app->env;
    execvp(app->argv[0], app->argv);
    fail("exec %s: %s", app->argv[0], strerror(errno));
}

static void enter_pod_root(const char *root)
{
    if (chdir(root) != 0)
        fail("chdir %s: %s", root, strerror(errno));
    if (pod.stage1 == STAGE1_FLY) {
        if (chroot(".") != 0)
            fail("chroot %s: %s", root, strerror(errno));
    } else {
        if (sethostname(pod.hostname, strlen(pod.hostname)) != 0)
            fail("sethostname: %s", strerror(errno));
        if (syscall(SYS_pivot_root, ".", ".") != 0)
            fail("pivot_root: %s", strerror(errno));
        if (umount2(".", MNT_DETACH) != 0)
            fail("detach the old root: %s", strerror(errno));
    }
    if (chdir("/") != 0)
        fail("chdir /: %s", strerror(errno));
}

static void forward_signal(int signal)
{
    kill(-1, signal);
}

/*
 * pid 1 of a pod of several apps: each app runs in its own root under /apps; the pod ends when every app
 * has ended (its code is the first non-zero app code), or at once when an app could not start.
 */
static int run_apps(void)
{
    /*
     * pid 1 of a namespace is sent only the signals it handles: a stop that came before the handlers were set was
     * lost, and the apps ran on until the grace period's SIGKILL. So the handlers come first, with the stop signals
     * blocked until every app is started: a stop meanwhile is held, then forwarded. The apps inherit the block and
     * lift it in default_signals(), so one that a stop reaches before its exec ends there.
     */
    sigset_t stops, before;
    sigemptyset(&stops);
    sigaddset(&stops, SIGTERM);
    sigaddset(&stops, SIGINT);
    sigaddset(&stops, SIGHUP);
    sigprocmask(SIG_BLOCK, &stops, &before);
    signal(SIGTERM, forward_signal);
    signal(SIGINT, forward_signal);
    signal(SIGHUP, forward_signal);

    pid_t pids[MAX_APPS];
    for (int i = 0; i < pod.app_count; i++) {
        pids[i] = fork();
        if (pids[i] < 0)
            fail("fork: %s", strerror(errno));
        if (pids[i] == 0) {
            char root[512];
            snprintf(root, sizeof root, "/apps/%s", pod.apps[i].name);
            if (chroot(root) != 0 || chdir("/") != 0)
                fail("chroot %s: %s", root, strerror(errno));
            exec_app(&pod.apps[i]);
        }
    }
    if (pod.ready_fd >= 0)
        close(pod.ready_fd);
    if (pod.userns_fd >= 0)
        close(pod.userns_fd);
    close(pod.error[1]);
    sigprocmask(SIG_SETMASK, &before, NULL);

    int remaining = pod.app_count, code = 0;
    while (remaining > 0) {
        int status;
        pid_t ended = wait(&status);
        if (ended < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        for (int i = 0; i < pod.app_count; i++) {
            if (pids[i] != ended)
                continue;
            remaining--;
            int app_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            if (code == 0)
                code = app_code;
        }
    }
    return code;
}

/* The app's end of its console: given to the app alone, so input ends and a terminal hangs up when it is gone. */
void attach_console(void)
{
    if (pod.console_fd < 0)
        return;
    int last = STDIN_FILENO;
    if (pod.tty_path) {
        if (setsid() < 0 || ioctl(pod.console_fd, TIOCSCTTY, 0) != 0)
            fail("make %s the app's terminal: %s", pod.tty_path, strerror(errno));
        last = STDERR_FILENO;
    }
    for (int fd = STDIN_FILENO; fd <= last; fd++)
        if (dup2(pod.console_fd, fd) < 0)
            fail("dup2 the app's console: %s", strerror(errno));
    close(pod.console_fd);
}

static int pod_main(void *unused)
{
    (void)unused;
    /* The pod dies with its supervisor: nothing is left running that nobody watches. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    wait_for_go();
    network_pod_side();
    must_mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);

    char root[4096];
    if (pod.app_count == 1) {
        snprintf(root, sizeof root, "%s/rootfs", pod.pod_dir);
        prepare_app_root(&pod.apps[0], root);
        enter_pod_root(root);
        attach_console();
        exec_app(&pod.apps[0]);
    }

    /* The pod's own root holds nothing but the apps' roots. */
    snprintf(root, sizeof root, "%s/stage1", pod.pod_dir);
    make_dir(root, 0755);
    must_mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "mode=755,size=1024k");
    for (int i = 0; i < pod.app_count; i++) {
        char target[4600];
        snprintf(target, sizeof target, "%s/apps", root);
        make_dir(target, 0755);
        snprintf(target, sizeof target, "%s/apps/%s", root, pod.apps[i].name);
        prepare_app_root(&pod.apps[i], target);
    }
    enter_pod_root(root);
    return run_apps();
}

void usage(const char *problem)
{
    fprintf(stderr, "fleetpods-shim: %s\n", problem);
    exit(2);
}

/* --enter's own options: the command a session runs in a running app (see enter.c), not a pod's description. */
static void parse_enter(int argc, char **argv)
{
    struct app *app = &pod.apps[0];
    pod.app_count = 1;
    app->name = "enter";
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
        if (strcmp(arg, "--enter") == 0) {
            char *end;
            long target = strtol(value, &end, 10);
            if (*end || target <= 0 || target > 0x3fffffff)
                usage("--enter takes a process id");
            pod.enter = (pid_t)target;
        } else if (strcmp(arg, "--stdin") == 0) pod.stdin_path = value;
        else if (strcmp(arg, "--tty") == 0) pod.tty_path = value;
        else if (strcmp(arg, "--output") == 0) pod.output_path = value;
        else if (strcmp(arg, "--stage1") == 0) {
            if (strcmp(value, "ns") == 0) pod.stage1 = STAGE1_NS;
            else if (strcmp(value, "fly") == 0) pod.stage1 = STAGE1_FLY;
            else usage("--stage1 is ns or fly");
        } else if (strcmp(arg, "--cgroup") == 0) {
            if (pod.cgroup_count >= MAX_CGROUPS)
                usage("too many --cgroup");
            pod.cgroups[pod.cgroup_count++] = value;
        } else if (strcmp(arg, "--user") == 0) app->user = value;
        else if (strcmp(arg, "--group") == 0) app->group = value;
        else if (strcmp(arg, "--env") == 0) {
            if (app->env_count >= MAX_ENV)
                usage("too many --env");
            app->env[app->env_count++] = (char *)value;
        } else
            usage("unknown option");
    }
    if (!pod.enter || !app->argv || app->argc == 0)
        usage("--enter needs a process id and a command (after --)");
    if (pod.stdin_path && pod.tty_path)
        usage("--stdin or --tty, not both");
    app->env[app->env_count] = NULL;
}

/*
 * Ends what the app left behind: under stage1 fly the app is not a pid namespace's init, so its children outlive
 * it unless killed. Its cgroups hold every process of the pod, however it forked; SIGKILL until they are empty.
 */
static void kill_remaining(void)
{
    for (int round = 0; round < 100; round++) {
        int found = 0;
        for (int i = 0; i < pod.cgroup_count; i++) {
            char path[4096];
            snprintf(path, sizeof path, "%s/cgroup.procs", pod.cgroups[i]);
            FILE *procs = fopen(path, "re");
            if (!procs)
                continue;
            int pid;
            while (fscanf(procs, "%d", &pid) == 1) {
                kill(pid, SIGKILL);
                found = 1;
            }
            fclose(procs);
        }
        while (waitpid(-1, NULL, WNOHANG) > 0)
            ;
        if (!found)
            return;
        usleep(10000);
    }
}

/* The oom_kill counter of the pod's memory cgroup, or 0 without one. */
static long oom_kills(void)
{
    if (!pod.oom_events)
        return 0;
    FILE *events = fopen(pod.oom_events, "re");
    if (!events)
        return 0;
    char line[256];
    long kills = 0;
    while (fgets(line, sizeof line, events))
        if (strncmp(line, "oom_kill ", 9) == 0)
            kills = strtol(line + 9, NULL, 10);
    fclose(events);
    return kills;
}

int main(int argc, char **argv)
{
    pod.uid_base = -1;
    pod.userns_fd = -1;
    pod.console_fd = -1;
    pod.dir_fd = -1;
    if (argc >= 2 && strcmp(argv[1], "--enter") == 0) {
        parse_enter(argc, argv);
        return enter_app(pod.enter, &pod.apps[0]);
    }
    if (argc >= 2 && strcmp(argv[1], "--enter-vm") == 0)
        return enter_vm(argc, argv);
    if (argc == 3 && strcmp(argv[1], "--check-manifest") == 0) {
        /* The reader alone, for tests and fuzzing: a refusal is one line on stderr and exit code 125 (see fail). */
        int dir = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
        size_t length;
        char *text = load_manifest_file(dir, argv[2], &length);
        read_manifest(text, length);
        return 0;
    }
    if (argc != 3 || strcmp(argv[1], "--pod-dir") != 0)
        usage("usage: fleetpods-shim --pod-dir DIR | --check-manifest FILE | --enter PID [OPTION]... -- COMMAND... | --enter-vm DIR --app NAME [OPTION]... -- COMMAND...");
    pod.pod_dir = argv[2];
    pod.dir_fd = open(pod.pod_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (pod.dir_fd < 0)
        usage("--pod-dir is not a directory");
    size_t length;
    char *manifest = load_manifest_file(pod.dir_fd, MANIFEST_FILE, &length);
    read_manifest(manifest, length);

    /* Detach from the daemon's session and terminal: the pod outlives it. Orphans of a fly app come to us to reap. */
    setsid();
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    signal(SIGHUP, SIG_IGN);
    signal(SIGINT, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);

    pod.ready_fd = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
    char path[4096];
    snprintf(path, sizeof path, "%s/log", pod.pod_dir);
    int log = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (log < 0 || null < 0) {
        char reason[4200];
        snprintf(reason, sizeof reason, "open %s: %s", log < 0 ? path : "/dev/null", strerror(errno));
        fail("%s", reason);
    }
    dup2(null, STDIN_FILENO);
    dup2(log, STDOUT_FILENO);
    dup2(log, STDERR_FILENO);
    close(log);
    close(null);
    if (pod.stage1 == STAGE1_KVM)
        return run_vm();

    /* The daemon holds the FIFO open for writing, so this open does not wait. */
    if (pod.stdin_path || pod.tty_path) {
        const char *console = pod.tty_path ? pod.tty_path : pod.stdin_path;
        pod.console_fd = open(console, (pod.tty_path ? O_RDWR : O_RDONLY) | O_NOCTTY | O_CLOEXEC);
        if (pod.console_fd < 0)
            fail("open %s: %s", console, strerror(errno));
    }
    if (pod.uid_base > 0)
        pod.userns_fd = make_user_namespace(pod.uid_base);
    if (pipe2(pod.go, O_CLOEXEC) != 0 || pipe2(pod.error, O_CLOEXEC) != 0)
        fail("pipe: %s", strerror(errno));

    char *stack = malloc(STACK_SIZE);
    if (!stack)
        fail("out of memory");
    int flags = CLONE_NEWNS | SIGCHLD;
    if (pod.stage1 == STAGE1_NS)
        flags |= CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC | (pod.network == NET_HOST ? 0 : CLONE_NEWNET);
    pid_t child = clone(pod_main, stack + STACK_SIZE, flags, NULL);
    if (child < 0)
        fail("clone: %s", strerror(errno));
    close(pod.go[0]);
    close(pod.error[1]);
    pod.error[1] = -1;
    if (pod.userns_fd >= 0)
        close(pod.userns_fd);
    if (pod.console_fd >= 0)
        close(pod.console_fd);

    char record[64];
    snprintf(record, sizeof record, "%d %d\n", (int)getpid(), (int)child);
    write_record("pid", record);

    for (int i = 0; i < pod.cgroup_count; i++) {
        snprintf(path, sizeof path, "%s/cgroup.procs", pod.cgroups[i]);
        int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0 || write(fd, record + strcspn(record, " ") + 1, strlen(record + strcspn(record, " ") + 1)) < 0)
            fail("join cgroup %s: %s", pod.cgroups[i], strerror(errno));
        close(fd);
    }
    network_host_side(child);
    if (write(pod.go[1], "g", 1) != 1)
        fail("start the pod: %s", strerror(errno));
    close(pod.go[1]);

    /*
     * The pod's processes hold the failure pipe until their exec (close-on-exec): end-of-file means every app
     * runs. A failure is recorded here, since an app that has switched to its user may not write the pod's
     * directory itself, and ends the pod (all of it, when several apps run).
     */
    char failure[4097];
    ssize_t failed;
    while ((failed = read(pod.error[0], failure, sizeof failure - 1)) < 0 && errno == EINTR)
        ;
    if (failed > 0) {
        failure[failed] = 0;
        write_record("failure", failure);
        kill(child, SIGKILL);
    }
    if (pod.ready_fd >= 0)
        close(pod.ready_fd);

    /* Any child but the app is an orphan of a fly app (we are its subreaper): reaped as it comes. */
    int status;
    pid_t ended;
    while ((ended = waitpid(-1, &status, 0)) != child)
        if (ended < 0 && errno != EINTR)
            fail("waitpid: %s", strerror(errno));
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    long kills = oom_kills();
    if (kills > 0) {
        /* The fact, for the daemon to decide on; "failure" keeps the words for people. */
        snprintf(record, sizeof record, "%ld\n", kills);
        write_record("oom", record);
        if (faccessat(pod.dir_fd, "failure", F_OK, 0) != 0)
            write_record("failure", "out of memory\n");
    }
    snprintf(record, sizeof record, "%d\n", code);
    write_record("exit", record);
    /* Under stage1 ns the kernel ended the rest with the pod's pid 1; under fly they are ended here. */
    kill_remaining();
    for (int i = 0; i < pod.cgroup_count; i++)
        rmdir(pod.cgroups[i]);
    return 0;
}
