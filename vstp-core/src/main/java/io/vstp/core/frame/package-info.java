/**
 * The wire model: {@link io.vstp.core.frame.Frame}, its {@link io.vstp.core.frame.FrameType} (and the
 * {@link io.vstp.core.frame.FrameTypeRegistry} that holds extension types), {@link io.vstp.core.frame.Flags} and
 * {@link io.vstp.core.frame.Headers}. Values only: no byte layout lives here (that is {@code io.vstp.core.codec}),
 * no I/O, no threads.
 */
package io.vstp.core.frame;
