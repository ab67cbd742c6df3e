/** VSTP over TCP: server, client, sessions (docs/spec/session.md), TLS 1.3 and limits. */
package io.vstp.transport;
