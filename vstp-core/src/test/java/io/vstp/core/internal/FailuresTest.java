package io.vstp.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.vstp.core.error.ErrorCode;
import io.vstp.core.error.FrameException;
import java.io.IOException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class FailuresTest {
    @Test
    void unwrapsNestedFutureWrappersDownToWhatFailed() {
        IOException io = new IOException("disk full");
        assertThat(Failures.cause(new CompletionException(new ExecutionException(new CompletionException(io)))))
                .isSameAs(io);
    }

    @Test
    void leavesOtherExceptionsAndEmptyWrappersAlone() {
        IllegalStateException plain = new IllegalStateException("x", new IOException("inner"));
        assertThat(Failures.cause(plain))
                .as("a cause chain that is not a wrapper")
                .isSameAs(plain);
        CompletionException empty = new CompletionException("no cause", null);
        assertThat(Failures.cause(empty)).isSameAs(empty);
        assertThat(Failures.cause(null)).isNull();
    }

    @Test
    void aVstpErrorKeepsItsCodeAndDetailAndAnyOtherFailureShowsOnlyItsClass() {
        FrameException frame = new FrameException(ErrorCode.FRAME_TOO_LARGE, "frame of 9 bytes");
        assertThat(Failures.code(new CompletionException(frame))).isEqualTo(ErrorCode.FRAME_TOO_LARGE);
        assertThat(Failures.detail(new CompletionException(frame))).isEqualTo("frame of 9 bytes");
        IOException secret = new IOException("/home/alice/secret.txt");
        assertThat(Failures.code(secret)).isEqualTo(ErrorCode.HANDLER_ERROR);
        assertThat(Failures.detail(secret))
                .isEqualTo("handler failed: IOException")
                .doesNotContain("alice");
    }
}
