/* The pod's users and groups: fleetpods-shim's identity switch (see drop_identity). */
#include "shim.h"
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_GROUPS (MAX_SUPPLEMENTARY_GIDS + 64)
#define MAX_DATABASE_BYTES (1 << 20)

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
 * given (by number or by name) replacing the primary one, and as supplementary groups the app's own
 * (supplementaryGIDs), the gid, and every group that lists the user by name, as initgroups would.
 */
void drop_identity(const struct app *app)
{
    const char *user = app->user ? app->user : "0";
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

    int numeric_group = app->group && parse_id(app->group, &id) == 0;
    if (numeric_group)
        gid = id;
    int group_found = !app->group || numeric_group;
    gid_t supplementary[MAX_GROUPS];
    int count = 0;
    for (int i = 0; i < app->supplementary_gid_count; i++)
        supplementary[count++] = app->supplementary_gids[i];
    char *group = read_database("/etc/group");
    for (char *cursor = group; (found = next_entry(&cursor, fields, 4)) >= 0;) {
        if (found < 3 || parse_id(fields[2], &id) != 0)
            continue;
        if (app->group && !numeric_group && strcmp(fields[0], app->group) == 0) {
            gid = id;
            group_found = 1;
        }
        if (name && found == 4 && is_member(fields[3], name) && count < MAX_GROUPS - 1)
            supplementary[count++] = (gid_t)id;
    }
    if (!group_found)
        fail("group '%s' not found in the pod's /etc/group", app->group);
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
