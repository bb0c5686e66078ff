/*
 * crc32c.h — CRC32C of a buffer, for the spool's per-frame checksum.
 */
#ifndef KAGENT_CRC32C_H
#define KAGENT_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* crc 0 starts a checksum; pass the result back in to continue it over
 * the next piece.  crc32c_update(0, "123456789", 9) == 0xe3069283. */
uint32_t crc32c_update(uint32_t crc, const void *buf, size_t len);

#endif
