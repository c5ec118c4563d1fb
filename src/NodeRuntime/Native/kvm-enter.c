/*
 * The kvm supervisor's side of `fleetpods enter`: it listens on the unix socket DIR/enter (0600, in the root-only
 * pods directory), takes one session per connection (fleetpods-shim --enter-vm, see enter-vm.c), and multiplexes
 * them on the guest's port fleetpods.enter (frames: enter-frames.h). It routes, it does not interpret: each
 * connection's frames get the connection's session number and go to the guest; the guest's go to the connection of
 * their number.
 *
 * Nothing here waits: the port and the connections are non-blocking. Every buffer is bounded: a connection is read
 * only while the port's queue has room for a whole frame, and what the guest sends a connection is bounded by the
 * session's window (a guest that sends beyond it loses that session, no other). The port is read whatever the
 * connections do, so a session nobody reads never stalls the others or the pod's output port.
 */
#include "shim.h"
#include "enter-frames.h"
#include "kvm-enter.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define PORT_QUEUE (4 * ENTER_MAX_FRAME)
#define CLIENT_QUEUE (ENTER_WINDOW + 4 * ENTER_MAX_FRAME)

struct client {
    int fd; /* -1: a free slot */
    uint32_t session;
    int opened; /* its OPEN went to the guest */
    int finished; /* the guest ended the session: closed once its queue is written */
    unsigned char received[ENTER_MAX_FRAME];
    size_t received_used;
    unsigned char queue[CLIENT_QUEUE];
    size_t queued;
};

static struct client clients[ENTER_MAX_SESSIONS];
static int listener = -1, port = -1;
static uint32_t last_session;
static unsigned char port_received[2 * ENTER_MAX_FRAME];
static size_t port_received_used;
static unsigned char port_queue[PORT_QUEUE];
static size_t port_queued;

static int enqueue(unsigned char *queue, size_t *queued, size_t capacity, const unsigned char *data, size_t length)
{
    if (length > capacity - *queued)
        return 0;
    memcpy(queue + *queued, data, length);
    *queued += length;
    return 1;
}

/* Writes what the queue holds as far as fd takes it now; false when fd is broken. */
static int flush(int fd, unsigned char *queue, size_t *queued)
{
    while (*queued > 0) {
        ssize_t n = send(fd, queue, *queued, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return 1;
        if (n <= 0)
            return 0;
        memmove(queue, queue + n, *queued - (size_t)n);
        *queued -= (size_t)n;
    }
    return 1;
}

/* Ends a connection; the guest ends the session's command unless it has ended already. */
static void drop(struct client *client)
{
    if (client->opened && !client->finished) {
        unsigned char frame[ENTER_HEADER];
        /* The port's queue always keeps room for these: connections are read only while it has more than a frame's. */
        enqueue(port_queue, &port_queued, PORT_QUEUE, frame, enter_frame(frame, client->session, ENTER_CLOSE, NULL, 0));
    }
    /* What the client sent and nobody will read is taken first (a bounded amount): closing over it resets the connection. */
    unsigned char unread[4096];
    for (int i = 0; i < 16 && recv(client->fd, unread, sizeof unread, MSG_DONTWAIT) > 0; i++)
        ;
    close(client->fd);
    client->fd = -1;
}

void enter_relay_listen(int guest_port)
{
    for (int i = 0; i < ENTER_MAX_SESSIONS; i++)
        clients[i].fd = -1;
    port = guest_port;
    if (fcntl(port, F_SETFL, O_NONBLOCK) != 0)
        fail("the enter port: %s", strerror(errno));
    /* Named through the pod directory's fd: a data directory's path may be longer than sun_path takes. */
    struct sockaddr_un address = {.sun_family = AF_UNIX};
    snprintf(address.sun_path, sizeof address.sun_path, "/proc/self/fd/%d/%s", pod.dir_fd, ENTER_SOCKET);
    unlinkat(pod.dir_fd, ENTER_SOCKET, 0);
    listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    mode_t mask = umask(0177);
    int bound = listener >= 0 && bind(listener, (struct sockaddr *)&address, sizeof address) == 0;
    umask(mask);
    if (!bound || listen(listener, ENTER_MAX_SESSIONS) != 0)
        fail("listen on %s/%s: %s", pod.pod_dir, ENTER_SOCKET, strerror(errno));
}

static void refuse(int fd, const char *reason)
{
    unsigned char frame[ENTER_MAX_FRAME];
    send(fd, frame, enter_frame(frame, 0, ENTER_ERROR, reason, strlen(reason)), MSG_NOSIGNAL | MSG_DONTWAIT);
    close(fd);
}

static void accept_client(void)
{
    int fd = accept4(listener, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0)
        return;
    if (port < 0)
        return refuse(fd, "the pod's guest takes no enter sessions any more: its port failed");
    for (int i = 0; i < ENTER_MAX_SESSIONS; i++) {
        if (clients[i].fd >= 0)
            continue;
        clients[i].fd = fd;
        clients[i].session = ++last_session;
        clients[i].opened = clients[i].finished = 0;
        clients[i].received_used = clients[i].queued = 0;
        return;
    }
    refuse(fd, "the pod already runs as many enter sessions as it can");
}

/* A client's frames to the guest, while the port's queue has room for them; false when the client must go. */
static int read_client(struct client *client)
{
    while (PORT_QUEUE - port_queued >= 2 * ENTER_MAX_FRAME) {
        long size = enter_complete(client->received, client->received_used);
        if (size < 0)
            return 0;
        if (size > 0) {
            int kind = client->received[4];
            int host_kind = kind >= ENTER_OPEN && kind <= ENTER_WINDOW_ACK;
            if (!host_kind || (kind == ENTER_OPEN) == client->opened || client->finished)
                return 0;
            client->opened = 1;
            enter_put32(client->received, client->session);
            enqueue(port_queue, &port_queued, PORT_QUEUE, client->received, (size_t)size);
            memmove(client->received, client->received + size, client->received_used - (size_t)size);
            client->received_used -= (size_t)size;
            continue;
        }
        ssize_t n = recv(client->fd, client->received + client->received_used, sizeof client->received - client->received_used, MSG_DONTWAIT);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return 1;
        if (n <= 0)
            return 0;
        client->received_used += (size_t)n;
    }
    return 1;
}

static struct client *client_of(uint32_t session)
{
    for (int i = 0; i < ENTER_MAX_SESSIONS; i++)
        if (clients[i].fd >= 0 && clients[i].opened && clients[i].session == session)
            return &clients[i];
    return NULL;
}

/* The guest has gone silent or spoke what is not a frame: every session ends, the pod goes on. */
static void give_up_port(void)
{
    for (int i = 0; i < ENTER_MAX_SESSIONS; i++)
        if (clients[i].fd >= 0) {
            clients[i].finished = 1;
            drop(&clients[i]);
        }
    close(port);
    port = -1;
}

static void read_port(void)
{
    for (;;) {
        ssize_t n = read(port, port_received + port_received_used, sizeof port_received - port_received_used);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return;
        if (n <= 0)
            return give_up_port();
        port_received_used += (size_t)n;
        size_t at = 0;
        long size;
        while ((size = enter_complete(port_received + at, port_received_used - at)) > 0) {
            unsigned char *frame = port_received + at;
            at += (size_t)size;
            struct client *client = client_of(enter_get32(frame));
            if (!client || client->finished)
                continue;
            if (!enqueue(client->queue, &client->queued, CLIENT_QUEUE, frame, (size_t)size)) {
                /* Beyond the session's window: this session ends, the others go on. */
                drop(client);
                continue;
            }
            if (frame[4] == ENTER_EXIT || frame[4] == ENTER_ERROR)
                client->finished = 1;
        }
        if (size < 0)
            return give_up_port();
        memmove(port_received, port_received + at, port_received_used - at);
        port_received_used -= at;
    }
}

int enter_relay_poll(struct pollfd *fds)
{
    int count = 0;
    int room = PORT_QUEUE - port_queued >= 2 * ENTER_MAX_FRAME;
    fds[count++] = (struct pollfd){.fd = port, .events = (short)(POLLIN | (port_queued ? POLLOUT : 0))};
    fds[count++] = (struct pollfd){.fd = listener, .events = POLLIN};
    for (int i = 0; i < ENTER_MAX_SESSIONS; i++) {
        const struct client *client = &clients[i];
        short events = (short)((room && !client->finished ? POLLIN : 0) | (client->queued ? POLLOUT : 0));
        fds[count++] = (struct pollfd){.fd = client->fd >= 0 && events ? client->fd : -1, .events = events};
    }
    return count;
}

void enter_relay_serve(const struct pollfd *fds)
{
    if (port >= 0 && (fds[0].revents & (POLLIN | POLLHUP | POLLERR)))
        read_port();
    for (int i = 0; i < ENTER_MAX_SESSIONS; i++) {
        struct client *client = &clients[i];
        short events = fds[2 + i].revents;
        if (client->fd < 0 || fds[2 + i].fd < 0 || !events)
            continue;
        if (((events & POLLIN) || (events & (POLLHUP | POLLERR))) && !client->finished && !read_client(client)) {
            drop(client);
            continue;
        }
        if (!flush(client->fd, client->queue, &client->queued) || (client->finished && client->queued == 0))
            drop(client);
    }
    /* Clients read above may have queued frames for the guest: sent now, not after the next wakeup. */
    if (port >= 0 && port_queued && !flush(port, port_queue, &port_queued))
        give_up_port();
    if (fds[1].revents & POLLIN)
        accept_client();
}

void enter_relay_end(void)
{
    for (int i = 0; i < ENTER_MAX_SESSIONS; i++)
        if (clients[i].fd >= 0) {
            /* What the guest sent before it ended still reaches its client, as far as the client takes it now. */
            flush(clients[i].fd, clients[i].queue, &clients[i].queued);
            close(clients[i].fd);
            clients[i].fd = -1;
        }
    if (listener >= 0)
        close(listener);
    unlinkat(pod.dir_fd, ENTER_SOCKET, 0);
}
