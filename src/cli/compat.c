/* `kubectl kovn compat`: which fields of Kube-OVN's v1 API kovn implements,
 * as the Markdown table the README carries (a test keeps the two equal). */
#include <config.h>

#include <stdio.h>

#include "cli/commands.h"
#include "crd/support.h"
#include "openvswitch/dynamic-string.h"

int
cli_compat_command(const struct cli_options *options)
{
    struct ds table = DS_EMPTY_INITIALIZER;

    (void)options;
    crd_support_markdown(&table);
    fputs(ds_cstr(&table), stdout);
    ds_destroy(&table);
    return CLI_EXIT_OK;
}
