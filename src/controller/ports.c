/* Switch ports of allocations; see ports.h. */
#include <config.h>

#include "controller/ports.h"

#include <errno.h>

#include "base/error.h"
#include "openvswitch/dynamic-string.h"
#include "ovn/owner.h"
#include "ovn/switch.h"

int
ctrl_port_build(struct ovn_nb *nb, struct ovsdb_idl_txn *txn, void *port_,
                struct kovn_error *err)
{
    const struct ctrl_port *port = port_;
    struct ovn_owner owner = {port->owner_kind, port->owner};

    if (port->delete) {
        int error = ovn_switch_port_delete(nb, txn, port->name, err);
        return error == -EPERM ? 0 : error;
    }
    if (!ovn_switch_find(nb, port->alloc->subnet)) {
        return kovn_error_set(err, -EAGAIN, "switch %s is not in OVN yet",
                              port->alloc->subnet);
    }
    struct ovn_switch_port_spec spec = {
        .name = port->name,
        .switch_name = port->alloc->subnet,
        .type = "",
        .mac = &port->alloc->mac,
        .ips = port->alloc->addrs.addrs,
        .n_ips = port->alloc->addrs.n,
        .port_security = !port->gateway,
    };
    if (!ovn_switch_port_ensure(nb, txn, &spec, &owner, err)) {
        return err && err->code ? err->code : -EINVAL;
    }
    return 0;
}

char *
ctrl_addrs_text(const struct ipam_addrs *addrs)
{
    struct ds s = DS_EMPTY_INITIALIZER;

    for (size_t i = 0; i < addrs->n; i++) {
        char buf[NET_ADDR_STRLEN];
        net_addr_format(&addrs->addrs[i], buf);
        ds_put_format(&s, "%s%s", i ? "," : "", buf);
    }
    return ds_steal_cstr(&s);
}
