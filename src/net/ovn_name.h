/* Checks that names kovn writes into OVN NB are ones OVN accepts, so that a
 * bad name from a manifest becomes an error naming the row and field instead
 * of a row that ovn-northd logs and ignores.  It lives below both the typed
 * model (src/crd, which refuses such names at decode time) and the OVN layer
 * (which checks again before it writes), so neither depends on the other. */
#ifndef KOVN_NET_OVN_NAME_H
#define KOVN_NET_OVN_NAME_H 1

struct kovn_error;

/* Longest name kovn writes: long enough for "<pod>.<namespace>" with both at
 * Kubernetes' 253-byte maximum. */
#define OVN_NAME_MAX 512

/* Switch, router and port names: 1..OVN_NAME_MAX bytes of letters, digits
 * and "-_.:/".  'table' names the row type for the message. */
int ovn_name_check(const char *table, const char *name,
                   struct kovn_error *err);

/* Port group and address set names are identifiers in ACL match expressions
 * (@pg, $as): a letter or '_' then letters, digits, '_' or '.'. */
int ovn_name_check_identifier(const char *table, const char *name,
                              struct kovn_error *err);

#endif /* KOVN_NET_OVN_NAME_H */
