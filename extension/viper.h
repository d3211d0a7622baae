/*
 * viper.h — declarations shared by the files of the PostgreSQL host that
 * do not belong to one of its helpers (configuration parameters).
 */
#ifndef VIPER_H
#define VIPER_H

/* viper.max_query_rows (viper.c): 0 = no cap. */
extern int	viper_max_query_rows;

/*
 * patches.c: forget this transaction's patch claims when it ends (and drop
 * those of a rolled-back subtransaction); registered by _PG_init.
 */
#include "access/xact.h"
extern void viper_patches_xact_callback(XactEvent event, void *arg);
extern void viper_patches_subxact_callback(SubXactEvent event,
										   SubTransactionId mySubid,
										   SubTransactionId parentSubid,
										   void *arg);

/* patches.c: a patch is claimed and not yet recorded (it runs bypassed). */
extern bool viper_patches_pending(void);

/* perm.c: forget the principal and every bypass when the transaction ends. */
extern void viper_perm_xact_callback(XactEvent event, void *arg);

#endif							/* VIPER_H */
