/*
 * viper.h — declarations shared by the files of the PostgreSQL host that
 * do not belong to one of its helpers (configuration parameters).
 */
#ifndef VIPER_H
#define VIPER_H

/* viper.max_query_rows (viper.c): 0 = no cap. */
extern int	viper_max_query_rows;

#endif							/* VIPER_H */
