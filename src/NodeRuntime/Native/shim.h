/* The pod as fleetpods-shim was told to run it, shared by the shim's parts (see fleetpods-shim.c). */
#ifndef FLEETPODS_SHIM_H
#define FLEETPODS_SHIM_H

#define _GNU_SOURCE
#include <sys/types.h>

#define MAX_ENV 1024
#define MAX_APPS 16
#define MAX_MOUNTS 64
#define MAX_CGROUPS 8
#define MAX_SUPPLEMENTARY_GIDS 32
#define MAX_SHARES (MAX_APPS * (MAX_MOUNTS + 1))
#define MANIFEST_FILE "manifest.json"
#define MAX_MANIFEST_BYTES (1 << 20)

struct volume_mount {
    const char *volume, *source, *target; /* source: the volume's directory on the node */
    int read_only;
    int idmapped; /* a host directory shifted into the pod's user namespace */
    int share; /* stage1 kvm: the share that carries it into the VM */
};

struct app {
    const char *name, *lower, *upper, *work, *rootfs, *cwd, *user, *group; /* group NULL: the user's own */
    char *env[MAX_ENV + 1];
    int env_count;
    char **argv;
    int argc;
    struct volume_mount mounts[MAX_MOUNTS];
    int mount_count;
    gid_t supplementary_gids[MAX_SUPPLEMENTARY_GIDS]; /* beside the groups its user is in */
    int supplementary_gid_count;
    int root_share; /* stage1 kvm: the share that carries its root into the VM */
};

enum stage1 { STAGE1_NS, STAGE1_FLY, STAGE1_KVM };

/* stage1 kvm: an app's overlay, mounted where qemu exports it to the guest. */
struct overlay {
    const char *lower, *upper, *work, *target;
};
/* stage1 kvm: a directory of the node the VM mounts over 9p at /fleetpods/9p/TAG. */
struct share {
    const char *tag, *path;
    int read_only;
};
enum network { NET_HOST, NET_NONE, NET_VETH };

struct pod {
    const char *pod_dir, *hostname;
    enum stage1 stage1;
    enum network network;
    const char *ip_tool, *veth, *bridge, *address, *gateway; /* NET_VETH only */
    const char *tap, *mac; /* NET_VETH of stage1 kvm (instead of ip_tool and veth): the VM's tap device on the bridge, its MAC */
    const char *cgroups[MAX_CGROUPS];
    int cgroup_count;
    const char *oom_events; /* memory.events (v2) or memory.oom_control (v1): its oom_kill counter */
    pid_t enter; /* --enter: the app to run a command in, instead of starting a pod */
    long uid_base; /* -1: no user namespace; else pod ids 0-65535 are host ids uid_base... */
    struct app apps[MAX_APPS];
    int app_count;
    int ready_fd; /* the launcher's pipe, see fleetpods-shim.c; -1 when there is none */
    int dir_fd; /* the pod directory, still reachable after pivot_root hides the host's paths */
    int userns_fd; /* the pod's user namespace, made before the pod's process: -1 without one */
    int go[2]; /* the supervisor tells the pod's process its cgroups and network are ready */
    struct overlay overlays[MAX_APPS]; /* stage1 kvm */
    int overlay_count;
    char **vm_argv; /* stage1 kvm: qemu's command line */
    int vm_argc;
    struct share shares[MAX_SHARES]; /* stage1 kvm */
    int share_count;
    int error[2]; /* a failure, for the supervisor to record when the failing process may no longer write the pod's directory */
    const char *stdin_path; /* --stdin: a FIFO the daemon writes, the app's stdin */
    const char *tty_path; /* --tty: a terminal the daemon holds the master of, the app's stdin, stdout and stderr */
    int console_fd; /* the opened --stdin or --tty: -1 without one */
    const char *output_path; /* --enter for the daemon: where the command's output (and the shim's complaints) go */
};

extern struct pod pod;

/* fleetpods-shim.c (the guest init of stage1 kvm defines its own fail and pod) */
void write_record(const char *name, const char *text);
__attribute__((noreturn, format(printf, 1, 2))) void fail(const char *format, ...);
/* Runs iproute2's ip on the given lines (one command each) as one process, failing the pod if any fails. */
void run_ip_batch(const char *commands);

/* manifest.c: the pod manifest (DIR/manifest.json) into pod, every field checked; fails naming the one that is not right. */
void read_manifest(const char *text, size_t length);
char *load_manifest_file(int dir_fd, const char *name, size_t *length);

/* mounts.c */
void must_mount(const char *source, const char *target, const char *type, unsigned long flags, const char *data);
void make_dir(const char *path, mode_t mode);
/* Writes all of data unless the fd fails (a peer that went away): what is lost then has nobody to read it. */
void write_all(int fd, const char *data, size_t length);

/* identity.c */
void drop_identity(const struct app *app);

/* pod-root.c */
void prepare_app_root(const struct app *app, const char *target);
int make_user_namespace(long base);

/* confinement.c */
void limit_capabilities(void);
void lock_down(void);

/* fleetpods-shim.c: the app's end of its console (--stdin, --tty), in the app's process before its exec */
void attach_console(void);

/* enter.c */
int enter_app(pid_t target, const struct app *app);
/* With --output: the launcher's pipe held in ready_fd, stdout and stderr to the output, console_fd opened (see enter.c). */
void open_session(void);

/* fleetpods-shim.c: a command line it cannot take, in one line; exit code 2 */
__attribute__((noreturn)) void usage(const char *problem);

/* enter-vm.c: --enter-vm, a command in a stage1 kvm pod's guest */
int enter_vm(int argc, char **argv);

/* kvm.c */
int run_vm(void);

/* network.c */
void network_host_side(pid_t child);
void network_pod_side(void);
/* stage1 kvm, in the supervisor: the VM's tap device on the bridge, up, as an fd for qemu; -1 without a bridge. */
int network_vm_tap(void);

#endif
