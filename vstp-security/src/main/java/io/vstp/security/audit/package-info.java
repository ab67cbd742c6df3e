/** The audit log of authentication and authorisation decisions: JSON lines, asynchronous, bounded, never secrets. */
package io.vstp.security.audit;
