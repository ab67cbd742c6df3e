package io.vstp.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vstp.transport.MemoryBudget.Pressure;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The budget's graduated actions: go on, refuse and pause at 80 %, close the heaviest past the limit. */
class MemoryBudgetTest {
    private static final InetAddress A = InetAddress.getLoopbackAddress();
    private static InetAddress b() throws Exception {
        return InetAddress.getByAddress(new byte[] {10, 0, 0, 2});
    }

    @Test
    void pressureRisesAtEightyPercentAndEasesBelow() {
        MemoryBudget budget = new MemoryBudget(1000, 1000);
        MemoryBudget.Share s = budget.open(A, () -> { });
        assertThat(s.update(500)).isEqualTo(Pressure.NONE);
        assertThat(s.update(800)).isEqualTo(Pressure.REFUSE);
        assertThat(s.update(799)).isEqualTo(Pressure.NONE);
        assertThat(budget.heldBytes()).isEqualTo(799);
        s.close();
        assertThat(budget.heldBytes()).isZero();
    }

    @Test
    void pastTheLimitTheHeaviestConnectionIsClosedNotTheNewcomer() {
        MemoryBudget budget = new MemoryBudget(1000, 1000);
        List<String> closed = new ArrayList<>();
        MemoryBudget.Share heavy = budget.open(A, () -> closed.add("heavy"));
        MemoryBudget.Share light = budget.open(A, () -> closed.add("light"));
        heavy.update(700);
        assertThat(light.update(400)).as("light goes on; heavy is closed").isEqualTo(Pressure.REFUSE);
        assertThat(closed).containsExactly("heavy");
        assertThat(budget.shed()).isEqualTo(1);
        heavy.close();
        assertThat(light.pressure()).isEqualTo(Pressure.NONE);
        // The one that grows past the limit while holding the most is told to go itself.
        assertThat(light.update(1200)).isEqualTo(Pressure.SHED);
        assertThat(closed).containsExactly("heavy");
    }

    @Test
    void oneAddressCannotTakeMoreThanItsShare() throws Exception {
        MemoryBudget budget = new MemoryBudget(10_000, 1000);
        List<String> closed = new ArrayList<>();
        MemoryBudget.Share other = budget.open(b(), () -> closed.add("other"));
        other.update(100);
        MemoryBudget.Share a1 = budget.open(A, () -> closed.add("a1"));
        MemoryBudget.Share a2 = budget.open(A, () -> closed.add("a2"));
        a1.update(600);
        assertThat(a2.update(500)).isEqualTo(Pressure.REFUSE);
        assertThat(closed).as("the heaviest of that address, never another address's").containsExactly("a1");
        assertThat(other.pressure()).as("the other address is under its share").isEqualTo(Pressure.NONE);
    }

    @Test
    void aShareMayNotExceedTheWhole() {
        assertThatThrownBy(() -> new MemoryBudget(100, 200)).isInstanceOf(IllegalArgumentException.class);
    }
}
