/*
 * fleetpods-shim: the per-pod supervisor of stage1 `ns`.
 *
 * Why a native process per pod: pods must outlive fleetpodsd (it can be SIGKILLed and restarted,
 * and finds its pods again), and the per-pod host overhead goal is under 1 MB, which a .NET
 * process cannot meet; a static C supervisor can, as containerd's shim and podman's conmon do.
 * Why not in the daemon: creating PID and mount namespaces needs a single-threaded caller (unshare and
 * setns refuse a multi-threaded one), and fork in a multi-threaded runtime such as .NET's is unsafe.
 *
 * Usage: fleetpods-shim --pod-dir DIR --hostname NAME
 *            (--lower DIR --upper DIR --work DIR | --rootfs DIR)
 *            [--cwd DIR] [--user U] [--group G] [--env K=V]... -- ARGV...
 *
 * It detaches (setsid), clones the pod's first process into new PID, mount, UTS and IPC namespaces,
 * records "<shim pid> <app pid>" in DIR/pid once cloned, waits, and records the app's exit code (or
 * 128+signal) in DIR/exit. A failure before the app's exec is written to DIR/failure. Every record is
 * written to a temporary name, fsynced and renamed, so a reader never sees half a file.
 *
 * Whoever started the shim learns that the launch is decided without polling: the shim's original
 * stdout is held open (close-on-exec) by the shim until DIR/pid is written and by the pod's first
 * process until its exec succeeds or it has recorded why it failed; end-of-file on it means "look".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_ENV 1024
#define MAX_GROUPS 64
#define STACK_SIZE (256 * 1024)
#define MAX_DATABASE_BYTES (1 << 20)

struct pod {
    const char *pod_dir, *hostname, *lower, *upper, *work, *rootfs, *cwd, *user, *group;
    char *env[MAX_ENV + 2];
    int env_count;
    char **argv;
    int ready_fd; /* the launcher's pipe, see the top of this file; -1 when there is none */
    int dir_fd; /* the pod directory, still reachable after pivot_root hides the host's paths */
};

static struct pod pod;

static void write_record(const char *name, const char *text)
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

/* Records why the pod could not start and ends the pod's first process. */
static void fail(const char *format, ...)
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
    write_record("failure", text);
    _exit(127);
}

static void must_mount(const char *source, const char *target, const char *type, unsigned long flags, const char *data)
{
    if (mount(source, target, type, flags, data) != 0)
        fail("mount %s on %s: %s", type ? type : source, target, strerror(errno));
}

static void make_dir(const char *path, mode_t mode)
{
    if (mkdir(path, mode) != 0 && errno != EEXIST)
        fail("mkdir %s: %s", path, strerror(errno));
}

/* Binds one host device into the pod's /dev; only this fixed, harmless set is offered. */
static void bind_device(const char *name)
{
    char host[64], target[64];
    snprintf(host, sizeof host, "/dev/%s", name);
    snprintf(target, sizeof target, "dev/%s", name);
    int fd = open(target, O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0)
        fail("create %s: %s", target, strerror(errno));
    close(fd);
    must_mount(host, target, NULL, MS_BIND, NULL);
}

static void setup_dev(void)
{
    make_dir("dev", 0755);
    must_mount("tmpfs", "dev", "tmpfs", MS_NOSUID | MS_NOEXEC | MS_STRICTATIME, "mode=755,size=65536k");
    const char *devices[] = {"null", "zero", "full", "random", "urandom", "tty"};
    for (size_t i = 0; i < sizeof devices / sizeof devices[0]; i++)
        bind_device(devices[i]);
    make_dir("dev/pts", 0755);
    must_mount("devpts", "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620");
    if (symlink("pts/ptmx", "dev/ptmx") != 0)
        fail("symlink dev/ptmx: %s", strerror(errno));
    make_dir("dev/shm", 01777);
    must_mount("shm", "dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777,size=65536k");
    const char *links[][2] = {{"/proc/self/fd", "dev/fd"}, {"/proc/self/fd/0", "dev/stdin"},
                              {"/proc/self/fd/1", "dev/stdout"}, {"/proc/self/fd/2", "dev/stderr"}};
    for (size_t i = 0; i < sizeof links / sizeof links[0]; i++)
        if (symlink(links[i][0], links[i][1]) != 0)
            fail("symlink %s: %s", links[i][1], strerror(errno));
}

/*
 * Users and groups come from the POD's own /etc/passwd and /etc/group, read after pivot_root so that
 * links in them resolve inside the pod, never on the host. Written by hand: NSS does not work in a
 * static binary, and must not consult the host's databases anyway.
 */
static char *read_database(const char *path)
{
    /* O_NONBLOCK: a fifo planted at this path reads as empty instead of hanging the launch. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return NULL;
    char *text = malloc(MAX_DATABASE_BYTES + 1);
    if (!text)
        fail("out of memory reading %s", path);
    size_t used = 0;
    ssize_t n;
    while (used < MAX_DATABASE_BYTES && (n = read(fd, text + used, MAX_DATABASE_BYTES - used)) > 0)
        used += (size_t)n;
    close(fd);
    text[used] = 0;
    return text;
}

/* The next line of a database, split in place into at most max colon-separated fields (the last keeps any further colons). */
static int next_entry(char **cursor, char **fields, int max)
{
    if (!*cursor || !**cursor)
        return -1;
    char *line = *cursor;
    char *newline = strchr(line, '\n');
    if (newline) {
        *newline = 0;
        *cursor = newline + 1;
    } else {
        *cursor = line + strlen(line);
    }
    int count = 0;
    while (count < max) {
        fields[count++] = line;
        line = strchr(line, ':');
        if (!line)
            break;
        *line++ = 0;
    }
    return count;
}

/* A decimal id and nothing else: strtol alone would accept signs, spaces and trailing junk. */
static int parse_id(const char *text, long *id)
{
    if (!text || *text < '0' || *text > '9')
        return -1;
    char *end;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (*end || errno || value > 0x7fffffffL)
        return -1;
    *id = value;
    return 0;
}

static int is_member(char *members, const char *name)
{
    for (char *member = members; member && *member;) {
        char *comma = strchr(member, ',');
        size_t length = comma ? (size_t)(comma - member) : strlen(member);
        if (length == strlen(name) && strncmp(member, name, length) == 0)
            return 1;
        member = comma ? comma + 1 : NULL;
    }
    return 0;
}

/*
 * Becomes the pod's user: uid and primary gid from passwd (a numeric user needs no entry), the group
 * given (by number or by name) replacing the primary one, and as supplementary groups the gid plus
 * every group that lists the user by name, as initgroups would.
 */
static void drop_identity(void)
{
    const char *user = pod.user ? pod.user : "0";
    long uid = -1, gid = 0, id;
    const char *name = NULL;
    char *fields[7];
    int found;

    char *passwd = read_database("/etc/passwd");
    int numeric_user = parse_id(user, &uid) == 0;
    for (char *cursor = passwd; (found = next_entry(&cursor, fields, 7)) >= 0;) {
        if (found < 4 || parse_id(fields[2], &id) != 0)
            continue;
        if (numeric_user ? id == uid : strcmp(fields[0], user) == 0) {
            uid = id;
            name = fields[0];
            if (parse_id(fields[3], &id) == 0)
                gid = id;
            break;
        }
    }
    if (uid < 0)
        fail("user '%s' not found in the pod's /etc/passwd", user);

    int numeric_group = pod.group && parse_id(pod.group, &id) == 0;
    if (numeric_group)
        gid = id;
    int group_found = !pod.group || numeric_group;
    gid_t supplementary[MAX_GROUPS];
    int count = 0;
    char *group = read_database("/etc/group");
    for (char *cursor = group; (found = next_entry(&cursor, fields, 4)) >= 0;) {
        if (found < 3 || parse_id(fields[2], &id) != 0)
            continue;
        if (pod.group && !numeric_group && strcmp(fields[0], pod.group) == 0) {
            gid = id;
            group_found = 1;
        }
        if (name && found == 4 && is_member(fields[3], name) && count < MAX_GROUPS - 1)
            supplementary[count++] = (gid_t)id;
    }
    if (!group_found)
        fail("group '%s' not found in the pod's /etc/group", pod.group);
    supplementary[count++] = (gid_t)gid;

    if (setgroups((size_t)count, supplementary) != 0)
        fail("setgroups: %s", strerror(errno));
    if (setgid((gid_t)gid) != 0)
        fail("setgid %ld: %s", gid, strerror(errno));
    if (setuid((uid_t)uid) != 0)
        fail("setuid %ld: %s", uid, strerror(errno));
    free(passwd);
    free(group);
}

static int pod_main(void *unused)
{
    (void)unused;

    /* The pod dies with its supervisor: nothing is left running that nobody watches. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);

    const char *root;
    char merged[4096];
    must_mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
    if (pod.rootfs) {
        root = pod.rootfs;
        must_mount(root, root, NULL, MS_BIND | MS_REC, NULL);
    } else {
        char options[12288];
        snprintf(merged, sizeof merged, "%s/rootfs", pod.pod_dir);
        make_dir(merged, 0755);
        int n = snprintf(options, sizeof options, "lowerdir=%s,upperdir=%s,workdir=%s", pod.lower, pod.upper, pod.work);
        if (n < 0 || n >= (int)sizeof options)
            fail("overlay options too long");
        must_mount("overlay", merged, "overlay", 0, options);
        root = merged;
    }
    if (chdir(root) != 0)
        fail("chdir %s: %s", root, strerror(errno));

    make_dir("proc", 0555);
    must_mount("proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
    make_dir("sys", 0555);
    must_mount("sysfs", "sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY, NULL);
    setup_dev();

    if (sethostname(pod.hostname, strlen(pod.hostname)) != 0)
        fail("sethostname: %s", strerror(errno));
    if (syscall(SYS_pivot_root, ".", ".") != 0)
        fail("pivot_root: %s", strerror(errno));
    if (umount2(".", MNT_DETACH) != 0)
        fail("detach the old root: %s", strerror(errno));
    if (chdir("/") != 0)
        fail("chdir /: %s", strerror(errno));

    drop_identity();
    /* The kernel clears the parent-death signal when the credentials change, so it is set again. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (pod.cwd && chdir(pod.cwd) != 0)
        fail("working directory %s: %s", pod.cwd, strerror(errno));

    /* Ignored signals stay ignored across exec; the app starts with the defaults. */
    signal(SIGHUP, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);

    environ = pod.env;
    execvp(pod.argv[0], pod.argv);
    fail("exec %s: %s", pod.argv[0], strerror(errno));
    return 127;
}

static void usage(const char *problem)
{
    fprintf(stderr, "fleetpods-shim: %s\n", problem);
    exit(2);
}

int main(int argc, char **argv)
{
    int i;
    for (i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--") == 0) {
            i++;
            break;
        }
        if (i + 1 >= argc)
            usage("an option lacks its value");
        const char *value = argv[++i];
        if (strcmp(arg, "--pod-dir") == 0) pod.pod_dir = value;
        else if (strcmp(arg, "--hostname") == 0) pod.hostname = value;
        else if (strcmp(arg, "--lower") == 0) pod.lower = value;
        else if (strcmp(arg, "--upper") == 0) pod.upper = value;
        else if (strcmp(arg, "--work") == 0) pod.work = value;
        else if (strcmp(arg, "--rootfs") == 0) pod.rootfs = value;
        else if (strcmp(arg, "--cwd") == 0) pod.cwd = value;
        else if (strcmp(arg, "--user") == 0) pod.user = value;
        else if (strcmp(arg, "--group") == 0) pod.group = value;
        else if (strcmp(arg, "--env") == 0) {
            if (pod.env_count >= MAX_ENV)
                usage("too many --env");
            pod.env[pod.env_count++] = (char *)value;
        } else
            usage("unknown option");
    }
    if (!pod.pod_dir || !pod.hostname || i >= argc)
        usage("--pod-dir, --hostname and an argv after -- are required");
    if (!pod.rootfs && !(pod.lower && pod.upper && pod.work))
        usage("give --rootfs, or --lower, --upper and --work");
    pod.argv = &argv[i];
    pod.env[pod.env_count] = NULL;

    pod.dir_fd = open(pod.pod_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (pod.dir_fd < 0)
        usage("--pod-dir is not a directory");

    /* Detach from the daemon's session and terminal: the pod outlives it. */
    setsid();
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

    char *stack = malloc(STACK_SIZE);
    if (!stack)
        fail("out of memory");
    pid_t app = clone(pod_main, stack + STACK_SIZE, CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | SIGCHLD, NULL);
    if (app < 0)
        fail("clone: %s", strerror(errno));

    char record[64];
    snprintf(record, sizeof record, "%d %d\n", (int)getpid(), (int)app);
    write_record("pid", record);
    if (pod.ready_fd >= 0)
        close(pod.ready_fd);

    int status;
    while (waitpid(app, &status, 0) < 0)
        if (errno != EINTR)
            fail("waitpid: %s", strerror(errno));
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    snprintf(record, sizeof record, "%d\n", code);
    write_record("exit", record);
    return 0;
}
