package io.poisk.engine;

import io.poisk.core.SearchMode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SearchRequestTest {

    @Test
    void boundsAndTheOneSetOfDefaults() {
        assertThat(SearchRequest.dense("q", 10).mode()).isEqualTo(SearchMode.DENSE);
        SearchRequest plain = new SearchRequest("q", null, 10, null, null);
        assertThat(plain.mode()).isEqualTo(SearchMode.HYBRID).isEqualTo(SearchDefaults.MODE);
        assertThat(plain.fusion()).as("null: the planner applies SearchDefaults.FUSION").isNull();
        assertThat(plain.rerank()).isEqualTo(RerankChoice.COLLECTION_DEFAULT);
        assertThat(SearchDefaults.FUSION.dense()).isEqualTo(0.2);
        assertThat(SearchDefaults.FUSION.lexical()).isEqualTo(0.8);
        assertThatThrownBy(() -> SearchRequest.dense(" ", 10)).hasMessageContaining("'query'");
        assertThatThrownBy(() -> SearchRequest.dense("q", 0)).hasMessageContaining("'k'");
        assertThatThrownBy(() -> SearchRequest.dense("q", SearchRequest.MAX_K + 1)).hasMessageContaining("1000");
    }
}
