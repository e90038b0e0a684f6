/* Sets of 128-bit integers as sorted spans in small sorted leaves; see
 * span_set.h. */
#include <config.h>

#include "ipam/span_set.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* A leaf holds at most SPAN_LEAF_MAX spans (2 KiB), so moving spans inside
 * one stays cheap.  Leaves start small and double, and halve again when a
 * quarter full, so that a subnet with one free span costs one small leaf
 * and memory stays proportional to the number of spans. */
#ifndef SPAN_LEAF_MAX
#define SPAN_LEAF_MAX 64 /* Tests build a variant with tiny leaves. */
#endif
#define SPAN_LEAF_MIN_CAP 4
/* No two neighbouring leaves are both below SPAN_LEAF_LOW spans (they are
 * merged), which bounds the number of leaves by about 2 * n_spans /
 * SPAN_LEAF_LOW and keeps the leaf array short. */
#define SPAN_LEAF_LOW (SPAN_LEAF_MAX / 4)

struct span_leaf {
    uint32_t n;
    uint32_t cap;
    struct span spans[];
};

static struct span_leaf *
leaf_new(uint32_t cap)
{
    struct span_leaf *leaf =
        xmalloc(sizeof *leaf + (size_t)cap * sizeof leaf->spans[0]);

    leaf->n = 0;
    leaf->cap = cap;
    return leaf;
}

static struct span_leaf *
leaf_resize(struct span_set *set, size_t li, uint32_t cap)
{
    struct span_leaf *leaf = set->leaves[li];

    leaf = xrealloc(leaf, sizeof *leaf + (size_t)cap * sizeof leaf->spans[0]);
    leaf->cap = cap;
    set->leaves[li] = leaf;
    return leaf;
}

static void
fix_last(struct span_set *set, size_t li)
{
    const struct span_leaf *leaf = set->leaves[li];

    set->lasts[li] = leaf->spans[leaf->n - 1].last;
}

/* Puts non-empty 'leaf' at index 'li' of the leaf array. */
static void
top_insert(struct span_set *set, size_t li, struct span_leaf *leaf)
{
    if (set->n_leaves == set->allocated) {
        set->allocated = set->allocated ? 2 * set->allocated : 4;
        set->leaves =
            xrealloc(set->leaves, set->allocated * sizeof *set->leaves);
        set->lasts = xrealloc(set->lasts, set->allocated * sizeof *set->lasts);
    }
    memmove(&set->leaves[li + 1], &set->leaves[li],
            (set->n_leaves - li) * sizeof *set->leaves);
    memmove(&set->lasts[li + 1], &set->lasts[li],
            (set->n_leaves - li) * sizeof *set->lasts);
    set->n_leaves++;
    set->leaves[li] = leaf;
    fix_last(set, li);
}

/* Drops index 'li' from the leaf array (the caller frees the leaf). */
static void
top_remove(struct span_set *set, size_t li)
{
    memmove(&set->leaves[li], &set->leaves[li + 1],
            (set->n_leaves - li - 1) * sizeof *set->leaves);
    memmove(&set->lasts[li], &set->lasts[li + 1],
            (set->n_leaves - li - 1) * sizeof *set->lasts);
    set->n_leaves--;
}

/* Inserts 'span' at position 'si' of leaf 'li' ('si' may be the leaf's
 * count, to append), growing or splitting the leaf when it is full. */
static void
insert_at(struct span_set *set, size_t li, size_t si, const struct span *span)
{
    struct span_leaf *leaf = set->leaves[li];

    if (leaf->n == leaf->cap && leaf->cap < SPAN_LEAF_MAX) {
        leaf = leaf_resize(set, li, 2 * leaf->cap);
    } else if (leaf->n == leaf->cap && si == leaf->n) {
        /* Appending past a full leaf: go to the front of the next leaf if
         * it has room, otherwise start a new leaf, so that building a set
         * in order leaves every leaf full instead of half full. */
        if (li + 1 < set->n_leaves && set->leaves[li + 1]->n < SPAN_LEAF_MAX) {
            li++;
            si = 0;
            leaf = set->leaves[li];
            if (leaf->n == leaf->cap) {
                leaf = leaf_resize(set, li, 2 * leaf->cap);
            }
        } else {
            struct span_leaf *next = leaf_new(SPAN_LEAF_MIN_CAP);

            next->spans[0] = *span;
            next->n = 1;
            top_insert(set, li + 1, next);
            set->n_spans++;
            return;
        }
    } else if (leaf->n == leaf->cap) {
        /* Split in halves; the upper half moves to a new leaf. */
        uint32_t half = leaf->n / 2;
        struct span_leaf *right = leaf_new(SPAN_LEAF_MAX);

        right->n = leaf->n - half;
        memcpy(right->spans, &leaf->spans[half],
               right->n * sizeof right->spans[0]);
        leaf->n = half;
        fix_last(set, li);
        top_insert(set, li + 1, right);
        if (si > half) {
            li++;
            si -= half;
            leaf = right;
        }
    }
    memmove(&leaf->spans[si + 1], &leaf->spans[si],
            (leaf->n - si) * sizeof leaf->spans[0]);
    leaf->spans[si] = *span;
    leaf->n++;
    if (si == leaf->n - 1) {
        fix_last(set, li);
    }
    set->n_spans++;
}

/* Merges leaf 'li + 1' into leaf 'li' (their sum fits one leaf). */
static void
merge(struct span_set *set, size_t li)
{
    struct span_leaf *left = set->leaves[li];
    struct span_leaf *right = set->leaves[li + 1];
    uint32_t total = left->n + right->n;
    uint32_t cap = left->cap;

    while (cap < total) {
        cap *= 2;
    }
    if (cap != left->cap) {
        left = leaf_resize(set, li, cap);
    }
    memcpy(&left->spans[left->n], right->spans,
           right->n * sizeof right->spans[0]);
    left->n = total;
    set->lasts[li] = set->lasts[li + 1];
    free(right);
    top_remove(set, li + 1);
}

/* Restores the "no two small neighbours" rule after leaf 'li' shrank. */
static void
rebalance(struct span_set *set, size_t li)
{
    while (set->leaves[li]->n < SPAN_LEAF_LOW) {
        uint32_t n = set->leaves[li]->n;

        if (li > 0 && set->leaves[li - 1]->n + n <= SPAN_LEAF_MAX / 2) {
            merge(set, li - 1);
            li--;
        } else if (li + 1 < set->n_leaves &&
                   n + set->leaves[li + 1]->n <= SPAN_LEAF_MAX / 2) {
            merge(set, li);
        } else {
            break;
        }
    }
}

static void
delete_at(struct span_set *set, size_t li, size_t si)
{
    struct span_leaf *leaf = set->leaves[li];

    memmove(&leaf->spans[si], &leaf->spans[si + 1],
            (leaf->n - si - 1) * sizeof leaf->spans[0]);
    leaf->n--;
    set->n_spans--;
    if (!leaf->n) {
        free(leaf);
        top_remove(set, li);
        return;
    }
    if (si == leaf->n) {
        fix_last(set, li);
    }
    if (leaf->cap > SPAN_LEAF_MIN_CAP && leaf->n <= leaf->cap / 4) {
        leaf_resize(set, li, leaf->cap / 2);
    }
    rebalance(set, li);
}

/* Finds the first span whose last member is >= 'value'.  Both levels are
 * branch-free lower-bound searches: the probes of a random lookup are
 * unpredictable, and a mispredicted branch per probe costs more than the
 * comparison. */
static bool
locate(const struct span_set *set, net_u128 value, size_t *lip, size_t *sip)
{
    size_t n = set->n_leaves;
    const net_u128 *keys = set->lasts;
    size_t hl = set->hint_leaf, hs = set->hint_idx;

    if (!n) {
        return false;
    }
    if (hl < n && set->lasts[hl] >= value &&
        (!hl || set->lasts[hl - 1] < value)) {
        /* The hinted leaf is the right one; maybe the hinted span too. */
        const struct span_leaf *leaf = set->leaves[hl];

        if (hs < leaf->n && leaf->spans[hs].last >= value &&
            (!hs || leaf->spans[hs - 1].last < value)) {
            *lip = hl;
            *sip = hs;
            return true;
        }
        keys += hl;
        n = 1;
    }
    while (n > 1) {
        size_t half = n / 2;

        keys += (size_t)(keys[half - 1] < value) * half;
        n -= half;
    }
    if (*keys < value) {
        return false; /* Past every leaf. */
    }

    /* The leaf's last span ends at or after 'value', so one qualifies. */
    const struct span_leaf *leaf = set->leaves[keys - set->lasts];
    const struct span *span = leaf->spans;

    n = leaf->n;
    while (n > 1) {
        size_t half = n / 2;

        span += (size_t)(span[half - 1].last < value) * half;
        n -= half;
    }
    *lip = (size_t)(keys - set->lasts);
    *sip = (size_t)(span - leaf->spans);
    return true;
}

void
span_set_init(struct span_set *set)
{
    memset(set, 0, sizeof *set);
}

void
span_set_destroy(struct span_set *set)
{
    for (size_t i = 0; i < set->n_leaves; i++) {
        free(set->leaves[i]);
    }
    free(set->leaves);
    free(set->lasts);
    memset(set, 0, sizeof *set);
}

static void
append_span(struct span_set *set, const struct span *span)
{
    if (!set->n_leaves) {
        struct span_leaf *leaf = leaf_new(SPAN_LEAF_MIN_CAP);

        leaf->spans[0] = *span;
        leaf->n = 1;
        top_insert(set, 0, leaf);
        set->n_spans++;
    } else {
        size_t li = set->n_leaves - 1;

        insert_at(set, li, set->leaves[li]->n, span);
    }
}

void
span_set_append(struct span_set *set, net_u128 first, net_u128 last)
{
    struct span span = {first, last};

    ovs_assert(first <= last);
    ovs_assert(!set->n_leaves || set->lasts[set->n_leaves - 1] + 1 < first);
    append_span(set, &span);
    set->n_members += last - first + 1;
}

bool
span_set_contains(const struct span_set *set, net_u128 value)
{
    size_t li, si;

    return locate(set, value, &li, &si) &&
           set->leaves[li]->spans[si].first <= value;
}

bool
span_set_next(const struct span_set *set, net_u128 value, net_u128 *member,
              net_u128 *span_last, struct span_set_pos *pos)
{
    size_t li, si;

    if (!locate(set, value, &li, &si)) {
        return false;
    }

    const struct span *span = &set->leaves[li]->spans[si];

    *member = span->first > value ? span->first : value;
    *span_last = span->last;
    if (pos) {
        pos->leaf = li;
        pos->idx = si;
    }
    return true;
}

void
span_set_remove(struct span_set *set, net_u128 value)
{
    struct span_set_pos pos;
    bool found = locate(set, value, &pos.leaf, &pos.idx);

    ovs_assert(found);
    span_set_remove_at(set, &pos, value);
}

void
span_set_remove_at(struct span_set *set, const struct span_set_pos *pos,
                   net_u128 value)
{
    size_t li = pos->leaf, si = pos->idx;

    ovs_assert(li < set->n_leaves && si < set->leaves[li]->n);
    set->hint_leaf = li;
    set->hint_idx = si;

    struct span_leaf *leaf = set->leaves[li];
    struct span *span = &leaf->spans[si];

    ovs_assert(span->first <= value && value <= span->last);
    if (span->first == span->last) {
        delete_at(set, li, si);
    } else if (value == span->first) {
        span->first++;
    } else if (value == span->last) {
        span->last--;
        if (si == leaf->n - 1) {
            fix_last(set, li);
        }
    } else {
        struct span upper = {value + 1, span->last};

        span->last = value - 1;
        if (si == leaf->n - 1) {
            /* insert_at() may put 'upper' in the next leaf. */
            fix_last(set, li);
        }
        insert_at(set, li, si + 1, &upper);
    }
    set->n_members--;
}

bool
span_set_insert(struct span_set *set, net_u128 value)
{
    size_t li = 0, si = 0, pli = 0, psi = 0;
    bool found = locate(set, value, &li, &si);
    struct span *next = NULL, *prev = NULL;

    if (found) {
        next = &set->leaves[li]->spans[si];
        if (next->first <= value) {
            return false; /* Already a member. */
        }
        if (si > 0) {
            pli = li;
            psi = si - 1;
            prev = &set->leaves[pli]->spans[psi];
        } else if (li > 0) {
            pli = li - 1;
            psi = set->leaves[pli]->n - 1;
            prev = &set->leaves[pli]->spans[psi];
        }
    } else if (set->n_leaves) {
        pli = set->n_leaves - 1;
        psi = set->leaves[pli]->n - 1;
        prev = &set->leaves[pli]->spans[psi];
    }

    /* 'prev->last < value < next->first', so neither +1 nor -1 wraps. */
    bool join_prev = prev && prev->last + 1 == value;
    bool join_next = next && next->first - 1 == value;

    if (join_prev && join_next) {
        prev->last = next->last;
        if (psi == set->leaves[pli]->n - 1) {
            fix_last(set, pli);
        }
        delete_at(set, li, si);
    } else if (join_prev) {
        prev->last = value;
        if (psi == set->leaves[pli]->n - 1) {
            fix_last(set, pli);
        }
    } else if (join_next) {
        next->first = value;
    } else {
        struct span span = {value, value};

        if (found) {
            insert_at(set, li, si, &span);
        } else {
            append_span(set, &span);
        }
    }
    set->n_members++;
    return true;
}

const struct span *
span_set_next_span(const struct span_set *set, struct span_set_pos *pos)
{
    if (pos->leaf >= set->n_leaves) {
        return NULL;
    }

    const struct span_leaf *leaf = set->leaves[pos->leaf];
    const struct span *span = &leaf->spans[pos->idx];

    if (++pos->idx == leaf->n) {
        pos->leaf++;
        pos->idx = 0;
    }
    return span;
}

void
span_set_check(const struct span_set *set)
{
    const struct span *prev = NULL;
    size_t n_spans = 0;
    net_u128 n_members = 0;

    ovs_assert(set->n_leaves <= set->allocated);
    for (size_t li = 0; li < set->n_leaves; li++) {
        const struct span_leaf *leaf = set->leaves[li];

        ovs_assert(leaf->n > 0 && leaf->n <= leaf->cap);
        ovs_assert(leaf->cap <= SPAN_LEAF_MAX);
        ovs_assert(set->lasts[li] == leaf->spans[leaf->n - 1].last);
        ovs_assert(!li || leaf->n >= SPAN_LEAF_LOW ||
                   set->leaves[li - 1]->n >= SPAN_LEAF_LOW);
        for (size_t si = 0; si < leaf->n; si++) {
            const struct span *span = &leaf->spans[si];

            ovs_assert(span->first <= span->last);
            /* Disjoint and not adjacent: a gap of at least one value. */
            ovs_assert(!prev || (prev->last < span->first &&
                                 span->first - prev->last >= 2));
            n_members += span->last - span->first + 1;
            n_spans++;
            prev = span;
        }
    }
    ovs_assert(n_spans == set->n_spans);
    ovs_assert(n_members == set->n_members);
}
