/* The node's part of egress: masquerading natOutgoing subnets (nat.h) and
 * IPv4 forwarding, which a gateway node needs to pass pods' packets from
 * ovn0 to its uplinks.  Subnets come from an informer of their own; the
 * ruleset is applied by `nft -f -` on a worker thread whenever it changes,
 * and again every EGRESS_RECHECK_MS, so that a flushed ruleset comes back. */
#ifndef KOVN_DAEMON_EGRESS_H
#define KOVN_DAEMON_EGRESS_H 1

struct daemon;

void egress_init(struct daemon *);
void egress_destroy(struct daemon *);
void egress_run(struct daemon *);
void egress_wait(struct daemon *);

#endif /* KOVN_DAEMON_EGRESS_H */
