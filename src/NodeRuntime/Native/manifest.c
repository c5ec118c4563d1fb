/*
 * The pod manifest: the one description of a pod that fleetpods-shim and the guest init of stage1 kvm read. The node
 * writes it once to DIR/manifest.json (docs/stage1.md#the-pod-manifest): appc's pod manifest, with what the node
 * rendered for this pod on this machine (roots, network, cgroups, the VM) in the typed "fleetpods" extension.
 *
 * Parsed with json-c (Debian's libjson-c-dev, linked statically). Every field this program uses is checked here, once,
 * and a problem is named by its path ("apps[1].app.exec: ..."): a manifest that reaches the kernel is well-formed.
 * Strings point into the parsed tree, which lives as long as the process.
 */
#include "shim.h"
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_NESTING 16
#define FIELD 256 /* a field's path, as errors name it; a longer one is cut */

__attribute__((format(printf, 2, 3))) static void field(char out[FIELD], const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vsnprintf(out, FIELD, format, args);
    va_end(args);
}

/* Fails naming the field: "pod manifest: PATH: PROBLEM". */
__attribute__((noreturn, format(printf, 2, 3))) static void refuse(const char *path, const char *format, ...)
{
    char problem[1024];
    va_list args;
    va_start(args, format);
    vsnprintf(problem, sizeof problem, format, args);
    va_end(args);
    fail("pod manifest: %s: %s", path, problem);
}

static json_object *member(json_object *object, const char *path, const char *key, int required)
{
    json_object *value = NULL;
    if (!json_object_object_get_ex(object, key, &value) || json_object_is_type(value, json_type_null)) {
        if (required)
            refuse(*path ? path : "(document)", "'%s' is missing", key);
        return NULL;
    }
    return value;
}

static json_object *object_at(json_object *parent, const char *path, const char *key, char child[FIELD], int required)
{
    field(child, "%s%s%s", path, *path ? "." : "", key);
    json_object *value = member(parent, path, key, required);
    if (value && !json_object_is_type(value, json_type_object))
        refuse(child, "not an object");
    return value;
}

/* A string without NUL (C cannot carry one past it), not empty unless allowed. */
static const char *string_value(json_object *value, const char *path, int may_be_empty)
{
    if (!json_object_is_type(value, json_type_string))
        refuse(path, "not a string");
    const char *text = json_object_get_string(value);
    size_t length = (size_t)json_object_get_string_len(value);
    if (strlen(text) != length)
        refuse(path, "contains a NUL character");
    if (!may_be_empty && length == 0)
        refuse(path, "is empty");
    return text;
}

static const char *string_at(json_object *object, const char *path, const char *key, int required)
{
    json_object *value = member(object, path, key, required);
    if (!value)
        return NULL;
    char child[FIELD];
    field(child, "%s%s%s", path, *path ? "." : "", key);
    return string_value(value, child, 0);
}

static int bool_at(json_object *object, const char *path, const char *key)
{
    json_object *value = member(object, path, key, 0);
    if (!value)
        return 0;
    if (!json_object_is_type(value, json_type_boolean)) {
        char child[FIELD];
        field(child, "%s%s%s", path, *path ? "." : "", key);
        refuse(child, "not true or false");
    }
    return json_object_get_boolean(value);
}

static long long integer_at(json_object *object, const char *path, const char *key, long long min, long long max, long long fallback)
{
    json_object *value = member(object, path, key, 0);
    if (!value)
        return fallback;
    char child[FIELD];
    field(child, "%s%s%s", path, *path ? "." : "", key);
    if (!json_object_is_type(value, json_type_int))
        refuse(child, "not an integer");
    errno = 0;
    long long number = json_object_get_int64(value);
    if (errno || number < min || number > max)
        refuse(child, "not between %lld and %lld", min, max);
    return number;
}

/* A list of at most max items; an absent optional list is empty. */
static size_t list_at(json_object *object, const char *path, const char *key, size_t max, int required, json_object **list)
{
    *list = member(object, path, key, required);
    if (!*list)
        return 0;
    char child[FIELD];
    field(child, "%s%s%s", path, *path ? "." : "", key);
    if (!json_object_is_type(*list, json_type_array))
        refuse(child, "not a list");
    size_t length = json_object_array_length(*list);
    if (length > max)
        refuse(child, "has %zu entries, more than %zu", length, max);
    return length;
}

/* Item i of a list, which must be an object; at names it. */
static json_object *object_item(json_object *list, size_t i, const char *at)
{
    json_object *item = json_object_array_get_idx(list, i);
    if (!json_object_is_type(item, json_type_object))
        refuse(at, "not an object");
    return item;
}

/* appc's AC Name: lowercase letters and digits, words joined by single '-'. It also names directories, so this matters. */
static void require_ac_name(const char *name, const char *path)
{
    int previous_dash = 1;
    for (const char *c = name; *c; c++) {
        int dash = *c == '-';
        if (!dash && !((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9')))
            refuse(path, "'%s' is not an AC name (lowercase letters, digits and '-')", name);
        if (dash && previous_dash)
            refuse(path, "'%s' is not an AC name (a '-' starts it or follows another)", name);
        previous_dash = dash;
    }
    if (previous_dash)
        refuse(path, "'%s' is not an AC name (empty, or it ends with '-')", name);
}

static void require_absolute(const char *value, const char *path)
{
    if (value[0] != '/')
        refuse(path, "'%s' is not an absolute path", value);
}

/* One word of an ip batch line (see network.c). */
static void require_word(const char *value, const char *path)
{
    if (strpbrk(value, " \t\n\\\"'#") != NULL)
        refuse(path, "'%s' is not a single word", value);
}

static json_object *named(json_object *list, const char *name)
{
    size_t length = list ? json_object_array_length(list) : 0;
    for (size_t i = 0; i < length; i++) {
        json_object *entry = json_object_array_get_idx(list, i), *key;
        if (json_object_is_type(entry, json_type_object) && json_object_object_get_ex(entry, "name", &key) &&
            json_object_is_type(key, json_type_string) && strcmp(json_object_get_string(key), name) == 0)
            return entry;
    }
    return NULL;
}

static void read_environment(struct app *app, json_object *runtime, const char *path)
{
    json_object *list;
    size_t count = list_at(runtime, path, "environment", MAX_ENV, 0, &list);
    for (size_t i = 0; i < count; i++) {
        char at[FIELD];
        field(at, "%s.environment[%zu]", path, i);
        json_object *entry = object_item(list, i, at);
        const char *name = string_at(entry, at, "name", 1);
        json_object *value = member(entry, at, "value", 1);
        char value_path[FIELD];
        field(value_path, "%s.value", at);
        const char *text = string_value(value, value_path, 1);
        if (strchr(name, '='))
            refuse(at, "the name '%s' has '='", name);
        size_t size = strlen(name) + strlen(text) + 2;
        char *pair = malloc(size);
        if (!pair)
            fail("out of memory");
        snprintf(pair, size, "%s=%s", name, text);
        app->env[app->env_count++] = pair;
    }
    app->env[app->env_count] = NULL;
}

static void read_exec(struct app *app, json_object *runtime, const char *path)
{
    json_object *list;
    char at[FIELD];
    field(at, "%s.exec", path);
    size_t count = list_at(runtime, path, "exec", 4096, 1, &list);
    if (count == 0)
        refuse(at, "is empty: an app needs a command");
    app->argv = calloc(count + 1, sizeof(char *));
    if (!app->argv)
        fail("out of memory");
    for (size_t i = 0; i < count; i++) {
        char item[FIELD];
        field(item, "%s[%zu]", at, i);
        app->argv[i] = (char *)string_value(json_object_array_get_idx(list, i), item, i > 0);
    }
    app->argc = (int)count;
}

static void read_supplementary_gids(struct app *app, json_object *runtime, const char *path)
{
    json_object *list;
    size_t count = list_at(runtime, path, "supplementaryGIDs", MAX_SUPPLEMENTARY_GIDS, 0, &list);
    for (size_t i = 0; i < count; i++) {
        char at[FIELD];
        field(at, "%s.supplementaryGIDs[%zu]", path, i);
        json_object *id = json_object_array_get_idx(list, i);
        errno = 0;
        long long gid = json_object_is_type(id, json_type_int) ? json_object_get_int64(id) : -1;
        /* (gid_t)-1 means "unchanged" to the kernel. */
        if (errno || gid < 0 || gid >= 0xffffffffLL)
            refuse(at, "not a group id (0 to 4294967294)");
        app->supplementary_gids[app->supplementary_gid_count++] = (gid_t)gid;
    }
}

/* The app's mounts: appc's mounts name a volume of the pod, whose node directory the extension gives. */
static void read_mounts(struct app *app, json_object *entry, const char *path, json_object *volumes, json_object *rendered_volumes)
{
    json_object *list;
    size_t count = list_at(entry, path, "mounts", MAX_MOUNTS, 0, &list);
    for (size_t i = 0; i < count; i++) {
        char at[FIELD];
        field(at, "%s.mounts[%zu]", path, i);
        json_object *mount = object_item(list, i, at);
        const char *volume = string_at(mount, at, "volume", 1);
        const char *target = string_at(mount, at, "path", 1);
        char target_path[FIELD];
        field(target_path, "%s.path", at);
        require_absolute(target, target_path);
        json_object *declared = named(volumes, volume), *rendered = named(rendered_volumes, volume);
        if (!declared || !rendered)
            refuse(at, "volume '%s' is not one of the pod's volumes", volume);
        struct volume_mount *out = &app->mounts[app->mount_count++];
        out->volume = volume;
        out->source = string_at(rendered, "fleetpods.volumes[]", "path", 1);
        out->target = target;
        out->read_only = bool_at(declared, "volumes[]", "readOnly");
        out->idmapped = bool_at(rendered, "fleetpods.volumes[]", "idmapped");
        out->share = -1;
    }
}

/* Where the node put the app's image: a copied tree, or overlay layers. */
static void read_root(struct app *app, json_object *rendered, const char *path)
{
    char at[FIELD];
    app->rootfs = string_at(rendered, path, "rootfs", 0);
    json_object *layers = object_at(rendered, path, "layers", at, 0);
    if (!app->rootfs == !layers)
        refuse(path, "needs either 'rootfs' or 'layers'");
    if (app->rootfs) {
        field(at, "%s.rootfs", path);
        require_absolute(app->rootfs, at);
        return;
    }
    app->lower = string_at(layers, at, "lower", 1);
    app->upper = string_at(layers, at, "upper", 1);
    app->work = string_at(layers, at, "work", 1);
    const char *directories[] = {app->lower, app->upper, app->work};
    for (size_t i = 0; i < 3; i++)
        if (directories[i][0] != '/' || strchr(directories[i], ','))
            refuse(at, "'%s' is not an absolute path without ','", directories[i]);
}

/* appc's volumes, and the node's directory of each the extension renders. */
static void read_volumes(json_object *root, json_object *extension, json_object **volumes, json_object **rendered)
{
    size_t count = list_at(root, "", "volumes", 256, 0, volumes);
    for (size_t i = 0; i < count; i++) {
        char at[FIELD], name_path[FIELD];
        field(at, "volumes[%zu]", i);
        json_object *volume = object_item(*volumes, i, at);
        field(name_path, "%s.name", at);
        require_ac_name(string_at(volume, at, "name", 1), name_path);
        const char *kind = string_at(volume, at, "kind", 1);
        if (strcmp(kind, "host") != 0 && strcmp(kind, "empty") != 0)
            refuse(at, "kind '%s' is not host or empty", kind);
    }
    count = list_at(extension, "fleetpods", "volumes", 256, 0, rendered);
    for (size_t i = 0; i < count; i++) {
        char at[FIELD], path_path[FIELD];
        field(at, "fleetpods.volumes[%zu]", i);
        json_object *volume = object_item(*rendered, i, at);
        field(path_path, "%s.path", at);
        require_absolute(string_at(volume, at, "path", 1), path_path);
        if (!named(*volumes, string_at(volume, at, "name", 1)))
            refuse(at, "renders a volume that volumes does not declare");
    }
}

static void read_apps(json_object *root, json_object *extension)
{
    json_object *apps, *rendered_apps, *volumes, *rendered_volumes;
    size_t count = list_at(root, "", "apps", MAX_APPS, 1, &apps);
    if (count == 0)
        refuse("apps", "is empty: a pod runs at least one app");
    if (list_at(extension, "fleetpods", "apps", MAX_APPS, 1, &rendered_apps) != count)
        refuse("fleetpods.apps", "does not list the same apps as apps");
    read_volumes(root, extension, &volumes, &rendered_volumes);
    for (size_t i = 0; i < count; i++) {
        char at[FIELD], runtime_path[FIELD], rendered_path[FIELD];
        field(at, "apps[%zu]", i);
        json_object *entry = object_item(apps, i, at);
        struct app *app = &pod.apps[pod.app_count++];
        app->name = string_at(entry, at, "name", 1);
        char name_path[FIELD];
        field(name_path, "%s.name", at);
        require_ac_name(app->name, name_path);
        for (size_t j = 0; j < i; j++)
            if (strcmp(pod.apps[j].name, app->name) == 0)
                refuse(name_path, "'%s' names two apps", app->name);

        json_object *runtime = object_at(entry, at, "app", runtime_path, 1);
        read_exec(app, runtime, runtime_path);
        read_environment(app, runtime, runtime_path);
        app->user = string_at(runtime, runtime_path, "user", 1);
        app->group = string_at(runtime, runtime_path, "group", 1);
        read_supplementary_gids(app, runtime, runtime_path);
        app->cwd = string_at(runtime, runtime_path, "workingDirectory", 0);
        if (app->cwd) {
            char cwd_path[FIELD];
            field(cwd_path, "%s.workingDirectory", runtime_path);
            require_absolute(app->cwd, cwd_path);
        }
        read_mounts(app, entry, at, volumes, rendered_volumes);

        field(rendered_path, "fleetpods.apps[%zu]", i);
        json_object *rendered = object_item(rendered_apps, i, rendered_path);
        const char *rendered_name = string_at(rendered, rendered_path, "name", 1);
        if (strcmp(rendered_name, app->name) != 0)
            refuse(rendered_path, "names app '%s' where apps[%zu] is '%s'", rendered_name, i, app->name);
        if (bool_at(rendered, rendered_path, "groupOfUser"))
            app->group = NULL;
        read_root(app, rendered, rendered_path);
        app->root_share = -1;
    }
}

/* stage1 kvm on the bridge: the host's tap device (an interface name) and the guest's MAC (six hex pairs, unicast). */
static void read_vm_link(json_object *network, const char *at)
{
    pod.tap = string_at(network, at, "tap", 1);
    pod.mac = string_at(network, at, "mac", 1);
    size_t length = strlen(pod.tap);
    if (length == 0 || length >= IFNAMSIZ || strspn(pod.tap, "abcdefghijklmnopqrstuvwxyz0123456789") != length)
        refuse(at, "tap '%s' is not an interface name (1-15 lowercase letters and digits)", pod.tap);
    int well_formed = strlen(pod.mac) == 17;
    for (int i = 0; well_formed && i < 17; i++)
        well_formed = i % 3 == 2 ? pod.mac[i] == ':' : strchr("0123456789abcdef", pod.mac[i]) != NULL && pod.mac[i] != 0;
    if (!well_formed || strchr("13579bdf", pod.mac[1]))
        refuse(at, "mac '%s' is not a unicast MAC (six lowercase hex pairs joined by ':')", pod.mac);
}

static void read_network(json_object *extension)
{
    char at[FIELD];
    json_object *network = object_at(extension, "fleetpods", "network", at, 1);
    const char *mode = string_at(network, at, "mode", 1);
    if (strcmp(mode, "host") == 0)
        pod.network = NET_HOST;
    else if (strcmp(mode, "none") == 0)
        pod.network = NET_NONE;
    else if (strcmp(mode, "bridge") == 0)
        pod.network = NET_VETH;
    else
        refuse(at, "mode '%s' is not host, none or bridge", mode);
    if (pod.network != NET_VETH)
        return;
    pod.bridge = string_at(network, at, "bridge", 1);
    pod.address = string_at(network, at, "address", 1);
    pod.gateway = string_at(network, at, "gateway", 1);
    const char *words[] = {pod.bridge, pod.address, pod.gateway};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        require_word(words[i], at);
    if (pod.stage1 == STAGE1_KVM)
        read_vm_link(network, at);
    else {
        pod.ip_tool = string_at(network, at, "ipTool", 1);
        pod.veth = string_at(network, at, "veth", 1);
        require_absolute(pod.ip_tool, at);
        require_word(pod.veth, at);
    }
}

static void read_console(json_object *extension)
{
    char at[FIELD];
    json_object *console = object_at(extension, "fleetpods", "console", at, 0);
    if (!console)
        return;
    pod.stdin_path = string_at(console, at, "stdin", 0);
    pod.tty_path = string_at(console, at, "tty", 0);
    if (!pod.stdin_path == !pod.tty_path)
        refuse(at, "needs either 'stdin' or 'tty'");
    if (pod.app_count > 1)
        refuse(at, "is one app's: a pod of several apps has none");
}

/* Stage1 kvm: qemu's command line, and what the VM shares with the node (app roots and volumes over 9p). */
static void read_machine(json_object *extension)
{
    char at[FIELD];
    json_object *kvm = object_at(extension, "fleetpods", "kvm", at, pod.stage1 == STAGE1_KVM);
    if (!kvm) {
        return;
    }
    if (pod.stage1 != STAGE1_KVM)
        refuse(at, "is for stage1 kvm only");
    if (pod.stdin_path || pod.tty_path)
        refuse("fleetpods.console", "stage1 kvm relays no console");
    json_object *machine, *shares;
    size_t count = list_at(kvm, at, "machine", 4096, 1, &machine);
    if (count == 0)
        refuse(at, "machine is empty");
    pod.vm_argv = calloc(count + 1, sizeof(char *));
    if (!pod.vm_argv)
        fail("out of memory");
    for (size_t i = 0; i < count; i++) {
        char item[FIELD];
        field(item, "%s.machine[%zu]", at, i);
        pod.vm_argv[i] = (char *)string_value(json_object_array_get_idx(machine, i), item, i > 0);
    }
    pod.vm_argc = (int)count;
    require_absolute(pod.vm_argv[0], at);

    size_t share_count = list_at(kvm, at, "shares", MAX_SHARES, 1, &shares);
    for (size_t i = 0; i < share_count; i++) {
        char item[FIELD];
        field(item, "%s.shares[%zu]", at, i);
        json_object *entry = object_item(shares, i, item);
        struct share *share = &pod.shares[pod.share_count];
        share->tag = string_at(entry, item, "tag", 1);
        share->path = string_at(entry, item, "path", 1);
        share->read_only = bool_at(entry, item, "readOnly");
        require_ac_name(share->tag, item);
        require_absolute(share->path, item);
        const char *app = string_at(entry, item, "app", 0), *volume = string_at(entry, item, "volume", 0);
        if (!app == !volume)
            refuse(item, "shares either an app's root or a volume");
        int found = 0;
        for (int a = 0; a < pod.app_count; a++) {
            struct app *owner = &pod.apps[a];
            if (app && strcmp(owner->name, app) == 0) {
                owner->root_share = pod.share_count;
                found = 1;
            }
            for (int m = 0; volume && m < owner->mount_count; m++) {
                if (strcmp(owner->mounts[m].volume, volume) == 0) {
                    if (strcmp(owner->mounts[m].source, share->path) != 0)
                        refuse(item, "shares %s as volume '%s', which is %s", share->path, volume, owner->mounts[m].source);
                    owner->mounts[m].share = pod.share_count;
                    found = 1;
                }
            }
        }
        if (!found)
            refuse(item, "shares %s '%s', which no app of the pod has", app ? "the root of app" : "volume", app ? app : volume);
        pod.share_count++;
    }
    for (int a = 0; a < pod.app_count; a++) {
        struct app *app = &pod.apps[a];
        if (app->root_share < 0)
            refuse(at, "shares no root for app '%s'", app->name);
        for (int m = 0; m < app->mount_count; m++)
            if (app->mounts[m].share < 0)
                refuse(at, "shares no volume for %s of app '%s'", app->mounts[m].target, app->name);
        /* The supervisor lays the app's overlay where the VM finds its root. */
        if (app->rootfs == NULL) {
            struct overlay *overlay = &pod.overlays[pod.overlay_count++];
            overlay->lower = app->lower;
            overlay->upper = app->upper;
            overlay->work = app->work;
            overlay->target = pod.shares[app->root_share].path;
        } else if (strcmp(app->rootfs, pod.shares[app->root_share].path) != 0) {
            refuse(at, "shares %s as app '%s''s root, which is %s", pod.shares[app->root_share].path, app->name, app->rootfs);
        }
    }
}

void read_manifest(const char *text, size_t length)
{
    json_tokener *tokener = json_tokener_new_ex(MAX_NESTING);
    if (!tokener)
        fail("out of memory");
    json_tokener_set_flags(tokener, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
    json_object *root = json_tokener_parse_ex(tokener, text, (int)length);
    enum json_tokener_error error = json_tokener_get_error(tokener);
    size_t end = json_tokener_get_parse_end(tokener);
    json_tokener_free(tokener);
    if (error != json_tokener_success || !root)
        refuse("(document)", "not JSON: %s at byte %zu", json_tokener_error_desc(error == json_tokener_continue ? json_tokener_error_parse_eof : error), end);
    if (end != length)
        refuse("(document)", "text after the JSON object at byte %zu", end);
    if (!json_object_is_type(root, json_type_object))
        refuse("(document)", "not a JSON object");

    const char *kind = string_at(root, "", "acKind", 1);
    if (strcmp(kind, "PodManifest") != 0)
        refuse("acKind", "'%s' is not PodManifest", kind);
    const char *version = string_at(root, "", "acVersion", 1);
    if (strncmp(version, "0.8.", 4) != 0)
        refuse("acVersion", "'%s' is not a 0.8 version of appc, which this reader knows", version);

    char at[FIELD];
    json_object *extension = object_at(root, "", "fleetpods", at, 1);
    if (integer_at(extension, "fleetpods", "version", 0, 1000, 0) != 1)
        refuse("fleetpods.version", "not 1, the version this reader knows");
    const char *stage1 = string_at(extension, "fleetpods", "stage1", 1);
    if (strcmp(stage1, "ns") == 0)
        pod.stage1 = STAGE1_NS;
    else if (strcmp(stage1, "fly") == 0)
        pod.stage1 = STAGE1_FLY;
    else if (strcmp(stage1, "kvm") == 0)
        pod.stage1 = STAGE1_KVM;
    else
        refuse("fleetpods.stage1", "'%s' is not ns, fly or kvm", stage1);
    pod.hostname = string_at(extension, "fleetpods", "hostname", 1);
    if (strlen(pod.hostname) > 64)
        refuse("fleetpods.hostname", "longer than 64 characters");

    read_apps(root, extension);
    read_network(extension);
    json_object *cgroups;
    size_t cgroup_count = list_at(extension, "fleetpods", "cgroups", MAX_CGROUPS, 0, &cgroups);
    for (size_t i = 0; i < cgroup_count; i++) {
        char item[FIELD];
        field(item, "fleetpods.cgroups[%zu]", i);
        pod.cgroups[pod.cgroup_count] = string_value(json_object_array_get_idx(cgroups, i), item, 0);
        require_absolute(pod.cgroups[pod.cgroup_count++], item);
    }
    pod.oom_events = string_at(extension, "fleetpods", "oomEvents", 0);
    pod.uid_base = integer_at(extension, "fleetpods", "uidBase", 1, 0x7fff0000L, -1);
    read_console(extension);
    read_machine(extension);

    if (pod.stage1 == STAGE1_FLY && (pod.app_count > 1 || pod.network != NET_HOST || pod.uid_base > 0))
        refuse("fleetpods.stage1", "fly runs one app in the host's network and users");
}

char *load_manifest_file(int dir_fd, const char *name, size_t *length)
{
    int fd = openat(dir_fd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        fail("open the pod manifest %s: %s", name, strerror(errno));
    char *text = malloc(MAX_MANIFEST_BYTES + 1);
    if (!text)
        fail("out of memory");
    size_t used = 0;
    ssize_t n;
    while ((n = read(fd, text + used, MAX_MANIFEST_BYTES + 1 - used)) > 0 && used + (size_t)n <= MAX_MANIFEST_BYTES)
        used += (size_t)n;
    if (n < 0)
        fail("read the pod manifest: %s", strerror(errno));
    if (n > 0)
        fail("the pod manifest is larger than %d bytes", MAX_MANIFEST_BYTES);
    close(fd);
    text[used] = 0;
    *length = used;
    return text;
}
