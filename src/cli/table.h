/* Column-aligned text tables as kubectl prints them: an upper-case header
 * row, columns padded to their widest cell and three spaces apart. */
#ifndef KOVN_CLI_TABLE_H
#define KOVN_CLI_TABLE_H 1

#include <stddef.h>
#include <stdio.h>

#include "svec.h"

struct cli_table {
    size_t n_columns;
    struct svec cells; /* Row-major, header row first. */
};

/* 'headers' is a NULL-terminated list of column names. */
void cli_table_init(struct cli_table *table, const char *const *headers);
void cli_table_destroy(struct cli_table *table);

/* Appends one row of 'table->n_columns' cells (NULL prints as ""). */
void cli_table_add_row(struct cli_table *table, const char *const *cells);
/* Rows added so far, the header not counted. */
size_t cli_table_n_rows(const struct cli_table *table);

void cli_table_print(const struct cli_table *table, FILE *stream);

#endif /* KOVN_CLI_TABLE_H */
