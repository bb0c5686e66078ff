/*
 * proto_fill.h — facts of hw/ and board/ into kagent.proto messages: the
 * agent's side of the wire.  The collector only reads messages and never
 * includes this (proto.h is the wire alone).
 *
 * Every fill function returns how many strings it shortened and list items
 * it left out to fit the bounds; the caller adds that to Report.clipped.
 */
#ifndef KAGENT_PROTO_FILL_H
#define KAGENT_PROTO_FILL_H

#include "board.h"
#include "hw.h"
#include "proto.h"
#include "nvme.h"
#include "smart_ata.h"
#include "smartctl.h"

unsigned proto_fill_cpu(const struct hw_cpu *c, kagent_v1_Cpu *out);
unsigned proto_fill_memory(const struct hw_memory *m, kagent_v1_Memory *out);
unsigned proto_fill_nic(const struct hw_nic *n, kagent_v1_Nic *out);
unsigned proto_fill_disk(const struct hw_disk *d, kagent_v1_Disk *out);
/* Fills out and appends every nic and disk to l; -ENOMEM. */
int proto_fill_inventory(const struct hw_cpu *cpu, const struct hw_memory *mem,
			 const struct hw_nics *nics,
			 const struct hw_disks *disks, kagent_v1_Inventory *out,
			 struct proto_lists *l, unsigned *clipped);
/* SMART facts only; the verdict, reason and source come from the agent's
 * disk.health judgement. */
unsigned proto_fill_ata_health(const struct hw_ata_smart *s,
			       kagent_v1_Health *out);
/* The NVMe health log's facts, as proto_fill_ata_health. */
void proto_fill_nvme_health(const struct hw_nvme_health *h,
			    kagent_v1_Health *out);
/* smartctl's facts, as proto_fill_ata_health: the NVMe log when it has
 * one, else the ATA attributes 5, 197 and 198 (raw). */
void proto_fill_smartctl_health(const struct hw_smartctl *s,
				kagent_v1_Health *out);
unsigned proto_fill_board(const struct board_dmi *d, kagent_v1_Board *out);
unsigned proto_fill_sensor(const struct board_sensor *s, kagent_v1_Sensor *out);

#endif
