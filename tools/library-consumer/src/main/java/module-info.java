/**
 * The consumer as a named module: tools/check-library.sh compiles and runs it on the module path, so a library
 * module that forgets an export, a {@code requires transitive} or a {@code uses} fails there, not in a user's build.
 * One {@code requires} is enough: io.vstp.services passes on transport, security and core.
 */
module example.consumer {
    requires io.vstp.services;
}
