/* What the parts of the guest's init share (guest-init.c, enter-sessions.c). */
#ifndef FLEETPODS_GUEST_H
#define FLEETPODS_GUEST_H

#include "../enter-frames.h"
#include <poll.h>
#include <sys/types.h>

struct app;

extern int in_app; /* set in an app's or a session's process before its exec: its failures go to pod.error[1] */

/* Every signal's default action and none blocked, as a process of the pod expects. */
void default_signals(void);
/* In an app's or a session's process before its exec: chrooted in the app's root /apps/NAME, with the app's user,
 * groups and working directory, as every command of the app starts. */
void become_app(const struct app *app);
/* The device of the virtio-serial port called NAME, looked for ATTEMPTS times 10 ms; -1 when it does not appear. */
int find_port(const char *name, int attempts);

/* enter-sessions.c: `fleetpods enter` sessions on the port fleetpods.enter (a guest without it has none). */
#define ENTER_POLL_FDS (1 + 3 * ENTER_MAX_SESSIONS)
void enter_open_port(void);
/* Fills at most ENTER_POLL_FDS entries with what the sessions wait for; returns how many. */
int enter_poll(struct pollfd *fds);
/* Acts on what poll found in those entries. */
void enter_serve(const struct pollfd *fds, int count);
/* True when PID was a session's command, whose end is then reported. */
int enter_reaped(pid_t pid, int status);

#endif
