package io.poisk.eval.bench;

/** Unit-length base vectors to index and query vectors to search with. */
record VectorSet(String name, float[][] base, float[][] queries) {
    VectorSet {
        if (base.length == 0 || queries.length == 0) throw new IllegalArgumentException(name + ": no vectors");
        if (base[0].length != queries[0].length) {
            throw new IllegalArgumentException(name + ": base is " + base[0].length + "-d, queries " + queries[0].length + "-d");
        }
    }

    int dimension() {
        return base[0].length;
    }
}
