/**
 * The services a VSTP server answers, both sides: {@code ServicesServer} and the requesters, and the files
 * service's server and client. Its API takes transport and security types (options, a security policy), so a user
 * that requires this module reads both.
 */
module io.vstp.services {
    requires transitive io.vstp.transport;
    requires transitive io.vstp.security;
    requires org.slf4j;

    exports io.vstp.services;
    exports io.vstp.services.files;
}
