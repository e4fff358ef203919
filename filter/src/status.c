#include "internal.h"

#include <stdio.h>

const char *aupf_strerror(int status) {
    switch (status) {
#define AUPF_STATUS_MESSAGE(name, value, message)                                                  \
    case value:                                                                                    \
        return message;
        AUPF_STATUS_LIST(AUPF_STATUS_MESSAGE)
#undef AUPF_STATUS_MESSAGE
    }
    return "unknown status";
}

const char *aupf_status_name(int status) {
    switch (status) {
#define AUPF_STATUS_NAME(name, value, message)                                                     \
    case value:                                                                                    \
        return #name;
        AUPF_STATUS_LIST(AUPF_STATUS_NAME)
#undef AUPF_STATUS_NAME
    }
    return "AUPF_UNKNOWN";
}

#define AUPF__STR2(x) #x
#define AUPF__STR(x)  AUPF__STR2(x)

const char *aupf_version(void) {
    return AUPF__STR(AUPF_VERSION_MAJOR) "." AUPF__STR(AUPF_VERSION_MINOR) "." AUPF__STR(
        AUPF_VERSION_PATCH);
}

const char *aupf_action_name(aupf_action action) {
    switch (action) {
    case AUPF_ACTION_ALLOW:
        return "allow";
    case AUPF_ACTION_ANNOTATE:
        return "annotate";
    case AUPF_ACTION_REDACT:
        return "redact";
    case AUPF_ACTION_BLOCK:
        return "block";
    }
    return "unknown";
}

const char *aupf_role_name(aupf_role role) {
    return role == AUPF_ROLE_COMPLETION ? "completion" : "prompt";
}
