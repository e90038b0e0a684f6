/* Compression of many short, similar texts against one dictionary.
 *
 * A general-purpose compressor gains little on a 600-byte JSON object by
 * itself: the object's field names and common values are what repeat, and
 * they repeat across objects, not within one.  Given a sample of the kind
 * of text to expect as a dictionary, zstd encodes each text as references
 * into that sample plus what differs: a pruned pod of 580 bytes packs to
 * about 100.  Each text packs and unpacks on its own, in microseconds.
 *
 * The dictionary is fixed for the packer's life: everything packed with it
 * needs it to unpack. */
#ifndef KOVN_BASE_TEXTPACK_H
#define KOVN_BASE_TEXTPACK_H 1

#include <stddef.h>

struct textpack;

/* A packer for texts like 'dictionary' ('size' bytes; copied). */
struct textpack *textpack_create(const void *dictionary, size_t size);
void textpack_destroy(struct textpack *);

/* The most bytes textpack_pack() makes of 'size' bytes. */
size_t textpack_bound(size_t size);

/* Packs 'size' bytes of 'text' into 'out', which has room for
 * textpack_bound(size) bytes; returns the number of packed bytes. */
size_t textpack_pack(struct textpack *, const void *text, size_t size,
                     void *out);

/* Unpacks 'packed_size' bytes that textpack_pack() of this packer made
 * from a text of 'size' bytes into 'text', which has room for 'size' bytes
 * and a NUL, which is added.  Returns 0, or -1 if the bytes do not unpack
 * to 'size' bytes (damage). */
int textpack_unpack(struct textpack *, const void *packed, size_t packed_size,
                    char *text, size_t size);

#endif /* KOVN_BASE_TEXTPACK_H */
