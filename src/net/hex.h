/* Hexadecimal digit values, shared by the address and MAC parsers. */
#ifndef KOVN_NET_HEX_H
#define KOVN_NET_HEX_H 1

/* The value of hex digit 'c' (either case), or -1. */
static inline int
net_hex_digit(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    } else if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

#endif /* KOVN_NET_HEX_H */
