package io.vstp.security.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class PluginRefusedTest {
    @Test
    void describeNamesTheCauseChain() {
        assertThat(PluginRefused.describe(new IOException("outer", new IllegalStateException("inner"))))
                .isEqualTo("IOException: outer; caused by IllegalStateException: inner");
    }

    @Test
    void describeStopsAtAFailureThatIsItsOwnCauseAndAfterFiveLevels() {
        Throwable deep = new IllegalStateException("6");
        for (int i = 5; i >= 1; i--) {
            deep = new IllegalStateException(Integer.toString(i), deep);
        }
        assertThat(PluginRefused.describe(deep)).endsWith("IllegalStateException: 5");
        assertThat(PluginRefused.describe(new SelfCaused())).isEqualTo("SelfCaused: loop");
    }

    /** A cause chain that never ends: getCause() returns the failure itself. */
    private static final class SelfCaused extends Exception {
        private static final long serialVersionUID = 1L;

        SelfCaused() {
            super("loop");
        }

        @Override
        public synchronized Throwable getCause() {
            return this;
        }
    }
}
