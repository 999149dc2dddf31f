/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mcd: a command-line debugger for MCD API 1.1 servers
 *
 * Commands come from -c arguments, script files, or standard input
 * (interactively with line editing when it is a terminal).  Several
 * commands may share a line, separated by ';'; '#' starts a comment.  In
 * anything but interactive use the first failing command ends the
 * program with exit status 1, so that scripts and tests notice.
 */

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef HAVE_READLINE
#include <readline/readline.h>
#include <readline/history.h>
#endif
#include "mcd-cli.h"

#define MAX_WORDS 128

/* Exit statuses. */
enum {
    EXIT_OK = 0,
    EXIT_COMMAND_FAILED = 1,
    EXIT_USAGE = 2,
};

int cli_silence;

static bool echo_commands;

/* "file:line: " in front of errors of script input, else empty. */
static char location[300];

/* "<location><kind>: <message>" on stderr. */
static void __attribute__((format(printf, 2, 0)))
vmessage(const char *kind, const char *fmt, va_list ap)
{
    /* Keep the order of output and errors when both go to one file. */
    fflush(stdout);
    fprintf(stderr, "%s%s: ", location, kind);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

int cli_error(const char *fmt, ...)
{
    va_list ap;

    if (cli_silence) {
        return -1;
    }
    va_start(ap, fmt);
    vmessage("error", fmt, ap);
    va_end(ap);
    return -1;
}

void cli_note(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vmessage("note", fmt, ap);
    va_end(ap);
}

static void echo(int argc, char **argv)
{
    printf("(mcd)");
    for (int i = 0; i < argc; i++) {
        printf(strpbrk(argv[i], " \t;#") ? " \"%s\"" : " %s", argv[i]);
    }
    printf("\n");
}

/*
 * Split @line into commands and words, and run the commands.  Words are
 * separated by blanks; "..." and '...' quote blanks, ';' and '#'.  Stops
 * at the first failing command; returns -1 then.
 */
static int run_line(const char *line)
{
    char buf[4096];
    char *argv[MAX_WORDS];
    int argc = 0;
    size_t len = 0;
    bool in_word = false;
    char quote = 0;
    const char *p = line;

    for (;; p++) {
        char ch = *p;
        bool end_cmd = !ch || (!quote && (ch == '\n' || ch == ';' ||
                                          (!in_word && ch == '#')));

        if (quote && ch && ch != quote) {
            buf[len++] = ch;
        } else if (quote && ch == quote) {
            quote = 0;
        } else if (!end_cmd && (ch == '"' || ch == '\'')) {
            if (!in_word) {
                if (argc == MAX_WORDS) {
                    return cli_error("too many words in a command");
                }
                argv[argc++] = buf + len;
                in_word = true;
            }
            quote = ch;
        } else if (!end_cmd && ch != ' ' && ch != '\t' && ch != '\r') {
            if (!in_word) {
                if (argc == MAX_WORDS) {
                    return cli_error("too many words in a command");
                }
                argv[argc++] = buf + len;
                in_word = true;
            }
            buf[len++] = ch;
        } else if (in_word) {
            buf[len++] = '\0';
            in_word = false;
        }
        if (len >= sizeof(buf) - 1) {
            return cli_error("command too long");
        }
        if (!end_cmd) {
            continue;
        }
        if (!ch && quote) {
            return cli_error("unterminated quote");
        }
        if (in_word) {
            buf[len++] = '\0';
            in_word = false;
        }
        if (argc) {
            if (echo_commands) {
                echo(argc, argv);
            }
            if (command_run(argc, argv)) {
                return -1;
            }
            if (cli_quit) {
                return 0;
            }
        }
        argc = 0;
        len = 0;
        if (ch == '#') {
            /* A comment runs to the end of the line. */
            p += strcspn(p, "\n");
            if (!*p) {
                return 0;
            }
        } else if (!ch) {
            return 0;
        }
    }
}

/* Run a script from @f; @name is for error locations. */
static int run_file(FILE *f, const char *name)
{
    char *line = NULL;
    size_t cap = 0;
    unsigned lineno = 0;
    int ret = 0;

    while (!cli_quit && getline(&line, &cap, f) >= 0) {
        lineno++;
        snprintf(location, sizeof(location), "%s:%u: ", name, lineno);
        ret = run_line(line);
        if (ret) {
            break;
        }
    }
    location[0] = '\0';
    free(line);
    return ret;
}

#ifdef HAVE_READLINE
static char *complete_command(const char *text, int state)
{
    static size_t index;
    const char *name;

    if (!state) {
        index = 0;
    }
    while ((name = command_name(index++))) {
        if (!strncmp(name, text, strlen(text))) {
            return strdup(name);
        }
    }
    return NULL;
}

static char **complete(const char *text, int start, int end)
{
    /* Command names only, at the start of a command. */
    if (start == 0 ||
        rl_line_buffer[strspn(rl_line_buffer, " \t")] == '\0' ||
        (start > 0 && rl_line_buffer[start - 1] == ';')) {
        return rl_completion_matches(text, complete_command);
    }
    rl_attempted_completion_over = 0;
    return NULL;
}

static char *read_command_line(void)
{
    char *line = readline("(mcd) ");

    if (line && line[strspn(line, " \t")]) {
        add_history(line);
    }
    return line;
}
#else
static char *read_command_line(void)
{
    char *line = NULL;
    size_t cap = 0;

    printf("(mcd) ");
    fflush(stdout);
    if (getline(&line, &cap, stdin) < 0) {
        free(line);
        return NULL;
    }
    return line;
}
#endif

static void run_interactive(void)
{
    char *line;

#ifdef HAVE_READLINE
    rl_readline_name = "mcd";
    rl_attempted_completion_function = complete;
#endif
    while (!cli_quit && (line = read_command_line())) {
        /* Errors are reported; the session goes on. */
        run_line(line);
        free(line);
    }
    if (!cli_quit) {
        printf("\n");
    }
}

static void usage(FILE *out)
{
    fprintf(out,
"Usage: mcd [OPTION]... [SCRIPT]...\n"
"Debug a target through an MCD API 1.1 server (e.g. QEMU's -mcd).\n"
"\n"
"  -t, --target=CONFIG    connect at start to CONFIG: host:port or\n"
"                         unix:/path ('connect' without argument goes to\n"
"                         $MCD_TARGET, else " MCD_CLI_DEFAULT_TARGET ")\n"
"  -s, --symbols=FILE     load symbols (\"ADDRESS NAME\" lines or nm output)\n"
"  -c, --command=CMDS     run CMDS (';'-separated); may be repeated\n"
"  -x, --echo             print each command before running it\n"
"  -h, --help             show this help and exit\n"
"  -V, --version          show the version and exit\n"
"\n"
"Without -c or SCRIPT, commands are read from standard input, with line\n"
"editing if it is a terminal.  SCRIPT '-' is standard input.  Except\n"
"interactively, the first failing command ends mcd with status 1.\n"
"Type 'help' for the commands.\n");
}

static void cleanup(void)
{
    if (target_connected()) {
        target_disconnect();
    }
    if (target.initialized) {
        mcd_exit_f();
        target.initialized = false;
    }
    symbols_free();
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "target", required_argument, NULL, 't' },
        { "symbols", required_argument, NULL, 's' },
        { "command", required_argument, NULL, 'c' },
        { "echo", no_argument, NULL, 'x' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    const char **cmds = calloc(argc + 1, sizeof(*cmds));
    int num_cmds = 0, opt, status = EXIT_OK;
    const char *connect_to = NULL;

    if (!cmds) {
        cli_error("out of memory");
        return EXIT_USAGE;
    }
    /* Line by line, so that output and errors interleave correctly. */
    setvbuf(stdout, NULL, _IOLBF, 0);
    while ((opt = getopt_long(argc, argv, "t:s:c:xhV", longopts,
                              NULL)) != -1) {
        switch (opt) {
        case 't':
            connect_to = optarg;
            break;
        case 's':
            if (symbols_load(optarg)) {
                status = EXIT_USAGE;
                goto out;
            }
            break;
        case 'c':
            cmds[num_cmds++] = optarg;
            break;
        case 'x':
            echo_commands = true;
            break;
        case 'h':
            usage(stdout);
            goto out;
        case 'V':
            printf("mcd " MCD_CLI_VERSION " (MCD API %d.%d)\n",
                   MCD_API_VER_MAJOR, MCD_API_VER_MINOR);
            goto out;
        default:
            usage(stderr);
            status = EXIT_USAGE;
            goto out;
        }
    }

    if (connect_to) {
        char *words[] = { (char *)"connect", (char *)connect_to };

        if (command_run(2, words)) {
            status = EXIT_COMMAND_FAILED;
            goto out;
        }
    }
    for (int i = 0; i < num_cmds && !cli_quit; i++) {
        if (run_line(cmds[i])) {
            status = EXIT_COMMAND_FAILED;
            goto out;
        }
    }
    for (int i = optind; i < argc && !cli_quit; i++) {
        FILE *f = strcmp(argv[i], "-") ? fopen(argv[i], "r") : stdin;
        int ret;

        if (!f) {
            cli_error("cannot open %s: %s", argv[i], strerror(errno));
            status = EXIT_USAGE;
            goto out;
        }
        ret = run_file(f, f == stdin ? "<stdin>" : argv[i]);
        if (f != stdin) {
            fclose(f);
        }
        if (ret) {
            status = EXIT_COMMAND_FAILED;
            goto out;
        }
    }
    if (!num_cmds && optind == argc) {
        if (isatty(STDIN_FILENO)) {
            run_interactive();
        } else if (run_file(stdin, "<stdin>")) {
            status = EXIT_COMMAND_FAILED;
        }
    }

out:
    cleanup();
    free(cmds);
    return status;
}
