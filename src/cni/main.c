/* kovn-cni: the CNI plugin executable.  The runtime passes everything in
 * the environment and on stdin, so there are no flags; see plugin.h. */
#include <config.h>

#include <stdio.h>

#include "cni/plugin.h"
#include "openvswitch/vlog.h"
#include "util.h"

int
main(int argc OVS_UNUSED, char *argv[])
{
    struct cni_plugin_env env;

    set_program_name(argv[0]);
    /* stdout belongs to the CNI result; problems go to stderr, which the
     * runtime logs, and to the config's logFile once it is known. */
    vlog_set_levels(NULL, VLF_SYSLOG, VLL_OFF);
    vlog_set_levels(NULL, VLF_FILE, VLL_OFF);
    vlog_set_levels(NULL, VLF_CONSOLE, VLL_WARN);
    cni_plugin_env_from_process(&env);
    return cni_plugin_run(&env, stdin, stdout);
}
