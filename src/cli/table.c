/* kubectl-style text tables; see table.h. */
#include <config.h>

#include "cli/table.h"

#include <string.h>

#include "util.h"

#define COLUMN_GAP 3

void
cli_table_init(struct cli_table *table, const char *const *headers)
{
    table->n_columns = 0;
    svec_init(&table->cells);
    for (; headers[table->n_columns]; table->n_columns++) {
        svec_add(&table->cells, headers[table->n_columns]);
    }
}

void
cli_table_destroy(struct cli_table *table)
{
    svec_destroy(&table->cells);
}

void
cli_table_add_row(struct cli_table *table, const char *const *cells)
{
    for (size_t i = 0; i < table->n_columns; i++) {
        svec_add(&table->cells, cells[i] ? cells[i] : "");
    }
}

size_t
cli_table_n_rows(const struct cli_table *table)
{
    return table->cells.n / table->n_columns - 1;
}

void
cli_table_print(const struct cli_table *table, FILE *stream)
{
    size_t n = table->n_columns;
    size_t *widths = xcalloc(n, sizeof *widths);

    for (size_t i = 0; i < table->cells.n; i++) {
        size_t len = strlen(table->cells.names[i]);
        widths[i % n] = MAX(widths[i % n], len);
    }
    for (size_t i = 0; i < table->cells.n; i++) {
        const char *cell = table->cells.names[i];
        size_t col = i % n;

        /* The last column is not padded, so lines carry no trailing
         * blanks. */
        if (col == n - 1) {
            fprintf(stream, "%s\n", cell);
        } else {
            fprintf(stream, "%-*s%*s", (int)widths[col], cell, COLUMN_GAP, "");
        }
    }
    free(widths);
}
