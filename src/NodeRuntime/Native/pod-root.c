/*
 * An app's root filesystem in the pod's mount namespace: its image as an overlay (or its copied tree),
 * shifted into the pod's user namespace by idmapped mounts where it has one, /proc, /sys and /dev, the
 * paths runc masks or makes read-only, and the pod's volumes at the app's mount targets.
 *
 * The image's tree is not trusted: every mount point in it is reached one component at a time without
 * following symbolic links, so a link planted in an image cannot aim a mount at the host's tree.
 */
#include "shim.h"
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * A missing mount point is made as the pod's root: with a user namespace the tree is an idmapped mount,
 * through which the host's root (outside the mapping) may not create anything.
 */
static int make_dir_as_pod_root(int parent, const char *name)
{
    if (pod.userns_fd < 0)
        return mkdirat(parent, name, 0755);
    setfsgid((gid_t)pod.uid_base);
    setfsuid((uid_t)pod.uid_base);
    int made = mkdirat(parent, name, 0755);
    int saved = errno;
    setfsuid(0);
    setfsgid(0);
    errno = saved;
    return made;
}

/* The directory at relative path under root, made where missing; an O_PATH descriptor. */
static int open_dir_in(int root, const char *relative)
{
    char copy[4096];
    if (snprintf(copy, sizeof copy, "%s", relative) >= (int)sizeof copy)
        fail("mount point /%s: path too long", relative);
    int fd = fcntl(root, F_DUPFD_CLOEXEC, 3);
    char *saved;
    for (char *part = strtok_r(copy, "/", &saved); part; part = strtok_r(NULL, "/", &saved)) {
        if (strcmp(part, ".") == 0)
            continue;
        if (strcmp(part, "..") == 0)
            fail("mount point /%s: '..' is not allowed", relative);
        int next = openat(fd, part, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (next < 0 && errno == ENOENT && make_dir_as_pod_root(fd, part) == 0)
            next = openat(fd, part, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (next < 0)
            fail("mount point /%s: %s (symbolic links are not followed)", relative, strerror(errno));
        close(fd);
        fd = next;
    }
    return fd;
}

static void mount_on(int fd, const char *what, const char *source, const char *type, unsigned long flags, const char *data)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    if (mount(source, path, type, flags, data) != 0)
        fail("mount %s: %s", what, strerror(errno));
}

/* A copy of the mount tree at source, shifted into the pod's user namespace when it has one, read-only if asked. */
static int detached_tree(const char *source, int idmapped, int read_only)
{
    int tree = open_tree(AT_FDCWD, source, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
    if (tree < 0)
        fail("open_tree %s: %s", source, strerror(errno));
    struct mount_attr attributes = {0};
    if (idmapped) {
        attributes.attr_set |= MOUNT_ATTR_IDMAP;
        attributes.userns_fd = (unsigned)pod.userns_fd;
    }
    if (read_only)
        attributes.attr_set |= MOUNT_ATTR_RDONLY;
    if (attributes.attr_set && mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attributes, sizeof attributes) != 0)
        fail("%s %s: %s", idmapped ? "idmapped mount of" : "read-only mount of", source, strerror(errno));
    return tree;
}

static void attach_tree(int tree, int target_fd, const char *what)
{
    if (move_mount(tree, "", target_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) != 0)
        fail("mount %s: %s", what, strerror(errno));
    close(tree);
}

/* The overlay's lower layers (a colon-separated list), each shifted by an idmapped mount in the pod's directory. */
static void shifted_layers(const struct app *app, char *lowers, size_t size)
{
    char layers[12288], dir[4096];
    snprintf(layers, sizeof layers, "%s", app->lower);
    snprintf(dir, sizeof dir, "%s/layers", pod.pod_dir);
    make_dir(dir, 0700);
    lowers[0] = 0;
    int index = 0;
    char *saved;
    for (char *layer = strtok_r(layers, ":", &saved); layer; layer = strtok_r(NULL, ":", &saved), index++) {
        snprintf(dir, sizeof dir, "%s/layers/%s-%d", pod.pod_dir, app->name, index);
        make_dir(dir, 0700);
        int target = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        attach_tree(detached_tree(layer, 1, 0), target, layer);
        close(target);
        size_t used = strlen(lowers);
        if (snprintf(lowers + used, size - used, "%s%s", index ? ":" : "", dir) >= (int)(size - used))
            fail("overlay options too long");
    }
}

static void mount_image(const struct app *app, const char *target)
{
    int shifted = pod.userns_fd >= 0;
    make_dir(target, 0755);
    int target_fd = open(target, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (target_fd < 0)
        fail("open %s: %s", target, strerror(errno));
    if (app->rootfs) {
        attach_tree(detached_tree(app->rootfs, shifted, 0), target_fd, app->rootfs);
    } else {
        char lowers[12288], options[16384];
        if (shifted)
            shifted_layers(app, lowers, sizeof lowers);
        else
            snprintf(lowers, sizeof lowers, "%s", app->lower);
        int n = snprintf(options, sizeof options, "lowerdir=%s,upperdir=%s,workdir=%s", lowers, app->upper, app->work);
        if (n < 0 || n >= (int)sizeof options)
            fail("overlay options too long");
        must_mount("overlay", target, "overlay", 0, options);
    }
    close(target_fd);
}

/* Binds one host device into the pod's /dev; only this fixed, harmless set is offered. */
static void bind_device(const char *name)
{
    char host[64], target[64];
    snprintf(host, sizeof host, "/dev/%s", name);
    snprintf(target, sizeof target, "dev/%s", name);
    int fd = open(target, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0666);
    if (fd < 0)
        fail("create %s: %s", target, strerror(errno));
    close(fd);
    must_mount(host, target, NULL, MS_BIND, NULL);
}

/* The current directory is the app's root; its dev directory has just been reached safely. */
static void setup_dev(int dev)
{
    mount_on(dev, "/dev", "tmpfs", "tmpfs", MS_NOSUID | MS_NOEXEC | MS_STRICTATIME, "mode=755,size=65536k");
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

/* runc's defaults: kernel interfaces a container must not read are hidden, and those it must not write are read-only. */
static void restrict_proc(void)
{
    const char *masked[] = {"proc/acpi", "proc/asound", "proc/kcore", "proc/keys", "proc/latency_stats",
                            "proc/timer_list", "proc/timer_stats", "proc/sched_debug", "proc/scsi",
                            "sys/firmware", "sys/devices/virtual/powercap"};
    for (size_t i = 0; i < sizeof masked / sizeof masked[0]; i++) {
        struct stat info;
        if (lstat(masked[i], &info) != 0)
            continue;
        if (S_ISDIR(info.st_mode))
            must_mount("tmpfs", masked[i], "tmpfs", MS_RDONLY, "size=0");
        else
            must_mount("/dev/null", masked[i], NULL, MS_BIND, NULL);
    }
    const char *read_only[] = {"proc/bus", "proc/fs", "proc/irq", "proc/sys", "proc/sysrq-trigger"};
    for (size_t i = 0; i < sizeof read_only / sizeof read_only[0]; i++) {
        if (access(read_only[i], F_OK) != 0)
            continue;
        must_mount(read_only[i], read_only[i], NULL, MS_BIND | MS_REC, NULL);
        must_mount(NULL, read_only[i], NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
    }
}

/* A file system's name for a refusal, from statfs's magic number (linux/magic.h). */
static const char *file_system_name(long magic, char *buffer, size_t size)
{
    static const struct { long magic; const char *name; } known[] = {
        {0xEF53, "ext4"}, {0x58465342, "xfs"}, {0x9123683E, "btrfs"}, {0x01021994, "tmpfs"},
        {0x794c7630, "overlayfs"}, {0x6969, "nfs"}, {0x65735546, "fuse"}, {0x9fa0, "proc"},
        {0x62656572, "sysfs"}, {0x63677270, "cgroup2"}, {0x01021997, "9p"}, {0x4d44, "vfat"},
        {0x2fc12fc1, "zfs"}, {(long)0xFF534D42, "cifs"}, {0x73717368, "squashfs"}, {0x858458f6, "ramfs"},
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (known[i].magic == magic)
            return known[i].name;
    snprintf(buffer, size, "type 0x%lx", magic);
    return buffer;
}

/*
 * A host directory of a pod with its own user ids is shifted into them by an idmapped mount, so the pod's root
 * owns what the node's root owns there and its files get the node's ids; a file system without idmapped mounts
 * refuses the pod, rather than showing it everything as nobody.
 */
static int shifted_volume(const struct volume_mount *volume)
{
    int tree = open_tree(AT_FDCWD, volume->source, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
    if (tree < 0)
        fail("open_tree %s: %s", volume->source, strerror(errno));
    struct mount_attr attributes = {0};
    attributes.attr_set = MOUNT_ATTR_IDMAP | (volume->read_only ? MOUNT_ATTR_RDONLY : 0);
    attributes.userns_fd = (unsigned)pod.userns_fd;
    if (mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attributes, sizeof attributes) != 0) {
        int saved = errno;
        struct statfs fs;
        char buffer[32];
        const char *type = fstatfs(tree, &fs) == 0 ? file_system_name((long)fs.f_type, buffer, sizeof buffer) : "unknown";
        fail("volume at %s: host directory %s is on %s, which has no idmapped mounts (%s), so the pod's own user ids "
             "cannot own it: put it on ext4, xfs, btrfs or tmpfs, or run the pod with PrivateUsers=no (admin only)",
             volume->target, volume->source, type, strerror(saved));
    }
    return tree;
}

static void mount_volumes(const struct app *app, int root)
{
    for (int i = 0; i < app->mount_count; i++) {
        const struct volume_mount *volume = &app->mounts[i];
        int target = open_dir_in(root, volume->target + 1);
        int tree = volume->idmapped && pod.userns_fd >= 0 ? shifted_volume(volume) : detached_tree(volume->source, 0, volume->read_only);
        attach_tree(tree, target, volume->target);
        close(target);
    }
}

/* Mounts everything an app of this pod sees under target, and leaves target as the current directory. */
void prepare_app_root(const struct app *app, const char *target)
{
    mount_image(app, target);
    if (chdir(target) != 0)
        fail("chdir %s: %s", target, strerror(errno));
    int root = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (root < 0)
        fail("open %s: %s", target, strerror(errno));

    int fd = open_dir_in(root, "proc");
    if (pod.stage1 == STAGE1_FLY) {
        /* fly: the host's own /proc, /sys and /dev, for privileged system pods. */
        mount_on(fd, "/proc", "/proc", NULL, MS_BIND | MS_REC, NULL);
        close(fd);
        fd = open_dir_in(root, "sys");
        mount_on(fd, "/sys", "/sys", NULL, MS_BIND | MS_REC, NULL);
        close(fd);
        fd = open_dir_in(root, "dev");
        mount_on(fd, "/dev", "/dev", NULL, MS_BIND | MS_REC, NULL);
        close(fd);
    } else {
        mount_on(fd, "/proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
        close(fd);
        fd = open_dir_in(root, "sys");
        mount_on(fd, "/sys", "sysfs", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY, NULL);
        close(fd);
        fd = open_dir_in(root, "dev");
        setup_dev(fd);
        close(fd);
        restrict_proc();
    }
    mount_volumes(app, root);
    close(root);
}

/*
 * The pod's user namespace, made before the pod's process so its mounts can be shifted into it: a
 * helper process unshares one, its maps are written from here (root in the host's namespace may map
 * any ids), and a descriptor keeps it once the helper is gone.
 */
int make_user_namespace(long base)
{
    int ready[2];
    if (pipe2(ready, O_CLOEXEC) != 0)
        fail("pipe: %s", strerror(errno));
    pid_t helper = fork();
    if (helper < 0)
        fail("fork: %s", strerror(errno));
    if (helper == 0) {
        close(ready[0]);
        char done = unshare(CLONE_NEWUSER) == 0 ? 'u' : 'e';
        if (write(ready[1], &done, 1) != 1)
            _exit(1);
        pause();
        _exit(0);
    }
    close(ready[1]);
    char done = 0;
    if (read(ready[0], &done, 1) != 1 || done != 'u')
        fail("unshare a user namespace: refused by the kernel");
    close(ready[0]);

    char path[64], map[64];
    snprintf(map, sizeof map, "0 %ld 65536\n", base);
    const char *maps[] = {"uid_map", "gid_map"};
    for (int i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "/proc/%d/%s", (int)helper, maps[i]);
        int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0 || write(fd, map, strlen(map)) != (ssize_t)strlen(map))
            fail("write %s: %s", path, strerror(errno));
        close(fd);
    }
    snprintf(path, sizeof path, "/proc/%d/ns/user", (int)helper);
    int userns = open(path, O_RDONLY | O_CLOEXEC);
    if (userns < 0)
        fail("open %s: %s", path, strerror(errno));
    kill(helper, SIGKILL);
    waitpid(helper, NULL, 0);
    return userns;
}
