package example;

import io.vstp.transport.session.SessionAuth;

/**
 * Must NOT compile on the module path: io.vstp.transport exports its session package to io.vstp.services only.
 * tools/check-library.sh compiles it beside the consumer's module-info.java and fails if javac accepts it.
 */
final class UsesInternals {
    static final String HEADER = SessionAuth.AUTH;
}
