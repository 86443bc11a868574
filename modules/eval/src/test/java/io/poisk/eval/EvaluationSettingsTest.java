package io.poisk.eval;

import io.poisk.engine.SearchDefaults;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class EvaluationSettingsTest {
    @Test
    void withoutAModeEvalSearchesLikeEveryFrontEnd() {
        assertThat(EvaluationSettings.defaults("eval", null, 10).mode()).isEqualTo(SearchDefaults.MODE);
    }
}
