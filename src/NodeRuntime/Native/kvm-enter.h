/* kvm-enter.c: the enter sessions of a kvm pod, from the supervisor's socket DIR/enter onto the guest's port (see there). */
#ifndef FLEETPODS_KVM_ENTER_H
#define FLEETPODS_KVM_ENTER_H

#include "enter-frames.h"
#include <poll.h>

#define ENTER_RELAY_POLL_FDS (2 + ENTER_MAX_SESSIONS)

/* Listens on DIR/enter and relays to the host end of the guest's enter port. */
void enter_relay_listen(int guest_port);
/* Fills ENTER_RELAY_POLL_FDS entries with what the relay waits for; returns how many. */
int enter_relay_poll(struct pollfd *fds);
/* Acts on what poll found in those entries. */
void enter_relay_serve(const struct pollfd *fds);
/* The VM is gone: every session's connection is closed, the socket removed. */
void enter_relay_end(void);

#endif
