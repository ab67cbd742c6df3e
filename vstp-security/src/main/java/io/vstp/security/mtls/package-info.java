/** mTLS identities: a verified client certificate as a {@link io.vstp.transport.auth.Principal}. */
package io.vstp.security.mtls;
