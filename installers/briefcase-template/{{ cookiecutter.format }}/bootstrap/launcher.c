/*
 * The installed program: start the app's module with the system Python, finding the app's
 * code and its own Python packages first. Written for OneTake's Briefcase template.
 *
 * Invoked as "{{ cookiecutter.bundle_name }}" (the desktop entry's name), it runs
 * {{ cookiecutter.module_name }}.desktop_entry, which opens a file the desktop hands it in the
 * right mode; under any other name (the "onetake" command) it runs {{ cookiecutter.module_name }}.
 *
 * It is a compiled program rather than a shell script because Briefcase strips it after the
 * build (strip refuses scripts); exec keeps one process, so signals and exit codes pass through.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PYTHON "/usr/bin/python{{ cookiecutter.python_version }}"
#define LIB_DIR "/usr/lib/{{ cookiecutter.app_name }}"

int main(int argc, char **argv) {
    const char *slash = strrchr(argv[0], '/');
    const char *name = slash ? slash + 1 : argv[0];
    const char *module = strcmp(name, "{{ cookiecutter.bundle_name }}") == 0
        ? "{{ cookiecutter.module_name }}.desktop_entry"
        : "{{ cookiecutter.module_name }}";

    /* Children the app starts with sys.executable (media probes) need the same path. */
    if (setenv("PYTHONPATH", LIB_DIR "/app:" LIB_DIR "/app_packages", 1) != 0) {
        perror("{{ cookiecutter.bundle_name }}: setenv");
        return 1;
    }

    /* python -s: a user's own site-packages must not shadow the packages shipped here. */
    char **args = calloc((size_t)argc + 4, sizeof *args);
    if (args == NULL) {
        perror("{{ cookiecutter.bundle_name }}");
        return 1;
    }
    args[0] = PYTHON;
    args[1] = "-s";
    args[2] = "-m";
    args[3] = (char *)module;
    for (int i = 1; i < argc; i++) {
        args[i + 3] = argv[i];
    }
    execv(PYTHON, args);
    fprintf(stderr, "{{ cookiecutter.bundle_name }}: cannot start %s: ", PYTHON);
    perror(NULL);
    return 127;
}
