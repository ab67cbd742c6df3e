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
        MemoryBudget.Share s = budget.open(A, () -> {});
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
        assertThat(light.update(400))
                .as("light goes on; heavy is closed and its bytes count as freed")
                .isEqualTo(Pressure.NONE);
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
        assertThat(a2.update(500)).as("a1 went, what is left fits").isEqualTo(Pressure.NONE);
        assertThat(closed)
                .as("the heaviest of that address, never another address's")
                .containsExactly("a1");
        assertThat(other.pressure()).as("the other address is under its share").isEqualTo(Pressure.NONE);
    }

    @Test
    void aShareMayNotExceedTheWhole() {
        assertThatThrownBy(() -> new MemoryBudget(100, 200)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void underGlobalPressureOnlyTheHeavyAreRefused() throws Exception {
        MemoryBudget budget = new MemoryBudget(1000, 1000);
        MemoryBudget.Share heavy = budget.open(A, () -> {});
        MemoryBudget.Share light = budget.open(b(), () -> {});
        light.update(10);
        assertThat(heavy.update(790)).isEqualTo(Pressure.REFUSE);
        assertThat(light.pressure()).as("below its even part of the whole").isEqualTo(Pressure.NONE);
    }

    @Test
    void anIpv6HostSharesOneAccountForItsWholeSlash64() throws Exception {
        InetAddress one = InetAddress.getByName("2001:db8:1:2::1");
        InetAddress other = InetAddress.getByName("2001:db8:1:2:ffff::9");
        assertThat(MemoryBudget.shareKey(one)).isEqualTo(MemoryBudget.shareKey(other));
        assertThat(MemoryBudget.shareKey(InetAddress.getByName("2001:db8:1:3::1")))
                .isNotEqualTo(MemoryBudget.shareKey(one));
        MemoryBudget budget = new MemoryBudget(10_000, 1000);
        List<String> closed = new ArrayList<>();
        MemoryBudget.Share s1 = budget.open(one, () -> closed.add("one"));
        MemoryBudget.Share s2 = budget.open(other, () -> closed.add("other"));
        s1.update(700);
        s2.update(400);
        assertThat(closed).as("the /64 is one address for the share").containsExactly("one");
    }
}
