/*
 * root.h — whether a probe's root directory is the running host.  Every
 * probe reads below a root; a few facts (link modes over ethtool, the
 * kernel clock, SMART from device nodes, libsensors) exist only on the
 * live host, and each of those asks here so they all agree.
 */
#ifndef KAGENT_HW_ROOT_H
#define KAGENT_HW_ROOT_H

#include <stdbool.h>

/* True when root resolves to "/": any spelling ("//", "/.", "/tmp/..")
 * and a symbolic link to it count; a tree that cannot be resolved is a
 * capture. */
bool hw_root_is_live(const char *root);

#endif
