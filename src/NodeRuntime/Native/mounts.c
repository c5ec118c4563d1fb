/* Mounting, making directories and writing whole buffers: shared by fleetpods-shim and the kvm guest's init. */
#include "shim.h"
#include <errno.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

void must_mount(const char *source, const char *target, const char *type, unsigned long flags, const char *data)
{
    if (mount(source, target, type, flags, data) != 0)
        fail("mount %s on %s: %s", type ? type : source, target, strerror(errno));
}

void make_dir(const char *path, mode_t mode)
{
    if (mkdir(path, mode) != 0 && errno != EEXIST)
        fail("mkdir %s: %s", path, strerror(errno));
}

void write_all(int fd, const char *data, size_t length)
{
    while (length > 0) {
        ssize_t n = write(fd, data, length);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        data += n;
        length -= (size_t)n;
    }
}
