/*
 * The frames of `fleetpods enter` into a stage1 kvm pod, on both of its links: between fleetpods-shim --enter-vm
 * (one session) and the pod's supervisor (kvm-enter.c, on the unix socket DIR/enter), and between the supervisor and
 * the guest's init (Guest/enter-sessions.c, on the virtio-serial port fleetpods.enter, where every session is
 * multiplexed). A frame is
 *     u32 session, u8 kind, u8 zero, u16 length (all little endian), then length bytes of payload.
 * The supervisor gives each connection its session number (what a client writes there is replaced) and routes the
 * guest's frames back by it. A payload is at most ENTER_MAX_PAYLOAD bytes: a reader refuses a longer one before it
 * allocates anything, so neither side can be made to hold more than a frame per link.
 *
 * Flow: each side may have at most ENTER_WINDOW bytes of stdin (host to guest) or stdout+stderr (guest to host) of a
 * session in flight; the receiver sends WINDOW(n) once it has handed n bytes on (to the command, or to the client's
 * output). A guest whose session is not read stops reading that command's output, so the command blocks on its own
 * write; nothing else waits. A peer that sends beyond its window ends that session.
 */
#ifndef FLEETPODS_ENTER_FRAMES_H
#define FLEETPODS_ENTER_FRAMES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define ENTER_PORT "fleetpods.enter"
#define ENTER_SOCKET "enter"
#define ENTER_HEADER 8
#define ENTER_MAX_PAYLOAD 16384
#define ENTER_MAX_FRAME (ENTER_HEADER + ENTER_MAX_PAYLOAD)
#define ENTER_WINDOW 65536
#define ENTER_CHUNK 4096
#define ENTER_MAX_SESSIONS 16

enum enter_kind {
    /* host to guest */
    ENTER_OPEN = 1, /* u8 tty, u16 rows, u16 cols, u16 argc, u16 envc, then NUL-ended app, argv..., env (NAME=VALUE)... */
    ENTER_STDIN = 2,
    ENTER_STDIN_EOF = 3,
    ENTER_RESIZE = 4, /* u16 rows, u16 cols */
    ENTER_SIGNAL = 5, /* u8 signal number */
    ENTER_CLOSE = 6, /* the client went away: the command is killed */
    /* both ways */
    ENTER_WINDOW_ACK = 7, /* u32 bytes handed on */
    /* guest to host */
    ENTER_STARTED = 16, /* the command runs (its exec succeeded) */
    ENTER_STDOUT = 17,
    ENTER_STDERR = 18,
    ENTER_EXIT = 19, /* u32 code: the command's, 128+signal when killed */
    ENTER_ERROR = 20, /* text: why the command could not run; the session is over */
};

static inline void enter_put16(unsigned char *at, unsigned value)
{
    at[0] = (unsigned char)value;
    at[1] = (unsigned char)(value >> 8);
}

static inline void enter_put32(unsigned char *at, uint32_t value)
{
    for (int i = 0; i < 4; i++)
        at[i] = (unsigned char)(value >> (8 * i));
}

static inline unsigned enter_get16(const unsigned char *at)
{
    return (unsigned)at[0] | (unsigned)at[1] << 8;
}

static inline uint32_t enter_get32(const unsigned char *at)
{
    return (uint32_t)at[0] | (uint32_t)at[1] << 8 | (uint32_t)at[2] << 16 | (uint32_t)at[3] << 24;
}

/* Writes a frame's header and payload to out (at least ENTER_HEADER + length bytes); returns its size. */
static inline size_t enter_frame(unsigned char *out, uint32_t session, int kind, const void *payload, size_t length)
{
    enter_put32(out, session);
    out[4] = (unsigned char)kind;
    out[5] = 0;
    enter_put16(out + 6, (unsigned)length);
    if (length)
        memcpy(out + ENTER_HEADER, payload, length);
    return ENTER_HEADER + length;
}

/*
 * The size of the whole frame at the start of buffer: 0 while its header or payload is incomplete, -1 when the
 * header is not a frame's (a payload beyond the bound, a reserved byte set): the link is then unusable.
 */
static inline long enter_complete(const unsigned char *buffer, size_t used)
{
    if (used < ENTER_HEADER)
        return 0;
    size_t length = enter_get16(buffer + 6);
    if (buffer[5] != 0 || length > ENTER_MAX_PAYLOAD)
        return -1;
    return used >= ENTER_HEADER + length ? (long)(ENTER_HEADER + length) : 0;
}

#endif
