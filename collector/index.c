/* The page at /: where the collector's answers are, for a person who
 * opens the collector's address in a browser.  Static, no script, no
 * resource from elsewhere: operators' networks are closed. */
#include "collector.h"

const char coll_index_html[] =
    "<!DOCTYPE html>\n"
    "<html lang=\"en\">\n"
    "<head><meta charset=\"utf-8\"><title>kcollectord</title></head>\n"
    "<body>\n"
    "<h1>kcollectord</h1>\n"
    "<p>The kagent collector. Its answers:</p>\n"
    "<ul>\n"
    "<li><a href=\"/metrics\">/metrics</a>: hosts, disks, NICs, sensors, "
    "checks and cluster verdicts in the Prometheus text format</li>\n"
    "<li><a href=\"/api/fleet\">/api/fleet</a>: every cluster with its "
    "verdict and checks, every host (JSON)</li>\n"
    "<li>/api/hosts/<i>HOST</i>: the last report of one host (JSON)</li>\n"
    "</ul>\n"
    "</body>\n"
    "</html>\n";
