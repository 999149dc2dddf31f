/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * MCD client stub: the configuration string of mcd_open_server_f()
 *
 *   ""  or NULL             127.0.0.1:1235
 *   host:port               TCP ("tcp:" may precede it)
 *   [v6addr]:port           TCP over IPv6
 *   host                    TCP to port 1235
 *   :port                   TCP to 127.0.0.1
 *   unix:/path              UNIX socket
 *
 * followed by options, each introduced by a comma:
 *
 *   timeout=MS              how long to wait for an answer
 *   connect-timeout=MS      how long to wait for the connection
 *
 * Timeouts default to the environment variables MCD_ANSWER_TIMEOUT_MS
 * and MCD_CONNECT_TIMEOUT_MS, and failing those to 30 s and 5 s.
 */

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "mcdc.h"

void mcdc_fail(McdcFailure *f, mcd_error_code_et code, const char *fmt, ...)
{
    va_list ap;

    f->code = code;
    f->errnum = 0;
    va_start(ap, fmt);
    vsnprintf(f->str, sizeof(f->str), fmt, ap);
    va_end(ap);
}

void mcdc_copy_str(char *dst, size_t size, const char *src)
{
    size_t len = strlen(src);

    if (!size) {
        return;
    }
    if (len >= size) {
        len = size - 1;
        /* Do not leave half a UTF-8 character behind. */
        while (len > 0 && ((unsigned char)src[len] & 0xc0) == 0x80) {
            len--;
        }
    }
    memcpy(dst, src, len);
    memset(dst + len, 0, size - len);
}

/* A timeout in milliseconds: 1 .. MCDC_MAX_TIMEOUT_MS. */
static bool parse_timeout(const char *s, unsigned *ms)
{
    guint64 v;

    if (!g_ascii_string_to_unsigned(s, 10, 1, MCDC_MAX_TIMEOUT_MS, &v,
                                    NULL)) {
        return false;
    }
    *ms = v;
    return true;
}

static bool env_timeout(const char *var, unsigned dflt, unsigned *ms,
                        McdcFailure *f)
{
    const char *s = g_getenv(var);

    *ms = dflt;
    if (!s || !*s) {
        return true;
    }
    if (!parse_timeout(s, ms)) {
        mcdc_fail(f, MCD_ERR_PARAM,
                  "%s=\"%.40s\": expected milliseconds, 1 to %u", var, s,
                  MCDC_MAX_TIMEOUT_MS);
        return false;
    }
    return true;
}

static bool parse_option(const char *opt, McdcConfig *cfg, McdcFailure *f)
{
    static const struct {
        const char *name;
        size_t offset;
    } opts[] = {
        { "timeout", offsetof(McdcConfig, answer_timeout_ms) },
        { "connect-timeout", offsetof(McdcConfig, connect_timeout_ms) },
    };
    const char *eq = strchr(opt, '=');

    for (size_t i = 0; eq && i < G_N_ELEMENTS(opts); i++) {
        if (strlen(opts[i].name) == (size_t)(eq - opt) &&
            !strncmp(opt, opts[i].name, eq - opt)) {
            unsigned *ms = (unsigned *)((char *)cfg + opts[i].offset);

            if (!parse_timeout(eq + 1, ms)) {
                mcdc_fail(f, MCD_ERR_PARAM,
                          "config option \"%.60s\": expected milliseconds, "
                          "1 to %u", opt, MCDC_MAX_TIMEOUT_MS);
                return false;
            }
            return true;
        }
    }
    mcdc_fail(f, MCD_ERR_PARAM,
              "unknown config option \"%.60s\" (known: timeout=MS, "
              "connect-timeout=MS)", opt);
    return false;
}

static bool parse_tcp(const char *s, McdcConfig *cfg, McdcFailure *f)
{
    const char *colon;
    g_autofree char *host = NULL;
    guint64 port = MCDC_DEFAULT_PORT;

    if (s[0] == '[') {
        const char *close = strchr(s, ']');

        if (!close || close == s + 1 || (close[1] && close[1] != ':')) {
            mcdc_fail(f, MCD_ERR_PARAM, "config string \"%.80s\": expected "
                      "[address]:port", s);
            return false;
        }
        host = g_strndup(s + 1, close - s - 1);
        colon = close[1] ? close + 1 : NULL;
    } else {
        colon = strrchr(s, ':');
        if (colon && strchr(s, ':') != colon) {
            mcdc_fail(f, MCD_ERR_PARAM, "config string \"%.80s\": write "
                      "IPv6 addresses as [address]:port", s);
            return false;
        }
        host = colon ? g_strndup(s, colon - s) : g_strdup(s);
    }
    if (colon && !g_ascii_string_to_unsigned(colon + 1, 10, 1, 65535,
                                             &port, NULL)) {
        mcdc_fail(f, MCD_ERR_PARAM, "config string \"%.80s\": the port must "
                  "be a number from 1 to 65535", s);
        return false;
    }
    cfg->transport = MCDC_TRANSPORT_TCP;
    cfg->host = *host ? g_steal_pointer(&host) : g_strdup(MCDC_DEFAULT_HOST);
    cfg->port = port;
    return true;
}

bool mcdc_config_parse(const char *str, McdcConfig *cfg, McdcFailure *f)
{
    g_auto(GStrv) parts = NULL;
    const char *addr;

    *cfg = (McdcConfig) { .transport = MCDC_TRANSPORT_TCP };
    if (!env_timeout(MCDC_ENV_CONNECT_TIMEOUT,
                     MCDC_DEFAULT_CONNECT_TIMEOUT_MS,
                     &cfg->connect_timeout_ms, f) ||
        !env_timeout(MCDC_ENV_ANSWER_TIMEOUT, MCDC_DEFAULT_ANSWER_TIMEOUT_MS,
                     &cfg->answer_timeout_ms, f)) {
        return false;
    }
    /* g_strsplit() makes "" no parts at all; " " keeps it one part. */
    parts = g_strsplit(str && *str ? str : " ", ",", -1);
    for (size_t i = 0; parts[i]; i++) {
        g_strstrip(parts[i]);
    }
    addr = parts[0];
    if (g_str_has_prefix(addr, "unix:")) {
        if (!addr[5]) {
            mcdc_fail(f, MCD_ERR_PARAM, "config string \"unix:\": the "
                      "socket path is missing");
            return false;
        }
        if (strlen(addr + 5) >= 108) {
            mcdc_fail(f, MCD_ERR_PARAM, "config string: the socket path is "
                      "longer than 107 bytes");
            return false;
        }
        cfg->transport = MCDC_TRANSPORT_UNIX;
        cfg->path = g_strdup(addr + 5);
    } else if (!parse_tcp(g_str_has_prefix(addr, "tcp:") ? addr + 4 : addr,
                          cfg, f)) {
        return false;
    }
    for (size_t i = 1; parts[i]; i++) {
        if (*parts[i] && !parse_option(parts[i], cfg, f)) {
            mcdc_config_clear(cfg);
            return false;
        }
    }
    return true;
}

void mcdc_config_clear(McdcConfig *cfg)
{
    g_clear_pointer(&cfg->host, g_free);
    g_clear_pointer(&cfg->path, g_free);
}

char *mcdc_config_endpoint(const McdcConfig *cfg)
{
    if (cfg->transport == MCDC_TRANSPORT_UNIX) {
        return g_strdup_printf("unix:%s", cfg->path);
    }
    if (strchr(cfg->host, ':')) {
        return g_strdup_printf("[%s]:%u", cfg->host, cfg->port);
    }
    return g_strdup_printf("%s:%u", cfg->host, cfg->port);
}
