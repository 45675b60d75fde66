namespace Watcher.Classification.Learning;

/// <summary>
/// Logistic regression for one topic over <see cref="ArticleFeatures"/>.
/// </summary>
/// <remarks>
/// Written here rather than taken from ML.NET: a verdict is one sparse dot product and the sentence
/// evidence needs the weight of every feature, which ML.NET's prediction engine does not hand out;
/// training on the corpus takes a few tens of milliseconds, and the worker keeps its cold start
/// free of ML.NET's pipeline and assemblies.
/// </remarks>
internal sealed class LinearTopicModel
{
    private readonly float[] weights;
    private readonly double[] denseWeights;
    private readonly double bias;

    private LinearTopicModel(float[] weights, double[] denseWeights, double bias)
    {
        this.weights = weights;
        this.denseWeights = denseWeights;
        this.bias = bias;
    }

    public double Probability(ArticleFeatures features) => 1 / (1 + Math.Exp(-Margin(features)));

    /// <summary>How much each sentence pushed the decision towards the topic (0 is the title).</summary>
    public double[] SentenceContributions(ArticleFeatures features, int sentenceCount)
    {
        ArgumentNullException.ThrowIfNull(features);
        var contributions = new double[sentenceCount];
        for (var i = 0; i < features.Indices.Length; i++)
        {
            var from = features.OccurrenceStarts[i];
            var to = features.OccurrenceStarts[i + 1];
            var share = weights[features.Indices[i]] * features.Values[i] / (to - from);
            for (var o = from; o < to; o++)
            {
                contributions[features.OccurrenceSentences[o]] += share;
            }
        }

        return contributions;
    }

    public static LinearTopicModel Train(IReadOnlyList<ArticleFeatures> examples, IReadOnlyList<bool> labels, TrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(examples);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(options);
        var denseCount = examples.Count == 0 ? 0 : examples[0].Dense.Length;
        var weights = new float[ArticleFeatures.HashSize];
        var squares = new float[ArticleFeatures.HashSize];
        var denseWeights = new double[denseCount];
        var denseSquares = new double[denseCount];
        double bias = 0, biasSquare = 0;

        var positives = labels.Count(l => l);
        var negatives = labels.Count - positives;

        // Positives are few (a topic is rare news); weighting them by the square root of the
        // imbalance keeps recall without flooding hard negatives with false alarms.
        var positiveWeight = positives == 0 ? 1 : Math.Max(1, Math.Sqrt((double)negatives / positives));
        var order = Enumerable.Range(0, examples.Count).ToArray();
        var random = new Random(options.Seed);
        for (var epoch = 0; epoch < options.Epochs; epoch++)
        {
            random.Shuffle(order);
            foreach (var e in order)
            {
                var x = examples[e];
                var margin = bias;
                for (var i = 0; i < x.Indices.Length; i++)
                {
                    margin += weights[x.Indices[i]] * x.Values[i];
                }

                for (var d = 0; d < denseCount; d++)
                {
                    margin += denseWeights[d] * x.Dense[d];
                }

                var p = 1 / (1 + Math.Exp(-margin));
                var error = (p - (labels[e] ? 1 : 0)) * (labels[e] ? positiveWeight : 1);

                // AdaGrad: rare, informative words keep a large step; common ones settle.
                for (var i = 0; i < x.Indices.Length; i++)
                {
                    var j = x.Indices[i];
                    var g = (float)(error * x.Values[i] + options.L2 * weights[j]);
                    squares[j] += g * g;
                    weights[j] -= (float)(options.LearningRate * g / Math.Sqrt(squares[j] + 1e-8));
                }

                for (var d = 0; d < denseCount; d++)
                {
                    var g = error * x.Dense[d] + options.L2 * denseWeights[d];
                    denseSquares[d] += g * g;
                    denseWeights[d] -= options.LearningRate * g / Math.Sqrt(denseSquares[d] + 1e-8);
                }

                biasSquare += error * error;
                bias -= options.LearningRate * error / Math.Sqrt(biasSquare + 1e-8);
            }
        }

        return new LinearTopicModel(weights, denseWeights, bias);
    }

    /// <summary>Writes the model at half precision: its decisions do not change, and the shipped file is a quarter of the size.</summary>
    public void WriteTo(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(bias);
        writer.Write(denseWeights.Length);
        foreach (var w in denseWeights)
        {
            writer.Write(w);
        }

        foreach (var w in weights)
        {
            writer.Write((Half)w);
        }
    }

    public static LinearTopicModel ReadFrom(BinaryReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var bias = reader.ReadDouble();
        var dense = new double[reader.ReadInt32()];
        for (var d = 0; d < dense.Length; d++)
        {
            dense[d] = reader.ReadDouble();
        }

        var weights = new float[ArticleFeatures.HashSize];
        var halves = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, Half>(reader.ReadBytes(weights.Length * 2));
        for (var i = 0; i < weights.Length; i++)
        {
            weights[i] = (float)halves[i];
        }

        return new LinearTopicModel(weights, dense, bias);
    }

    private double Margin(ArticleFeatures features)
    {
        var margin = bias;
        for (var i = 0; i < features.Indices.Length; i++)
        {
            margin += weights[features.Indices[i]] * features.Values[i];
        }

        for (var d = 0; d < denseWeights.Length && d < features.Dense.Length; d++)
        {
            margin += denseWeights[d] * features.Dense[d];
        }

        return margin;
    }
}

/// <summary>
/// How a topic model is trained. The defaults were chosen by site-wise cross-validation on the
/// development side of the corpus (learning rates 0.1-1, 10-40 epochs, L2 1e-6-1e-4, positive
/// weights and thresholds compared); the frozen split played no part.
/// </summary>
internal sealed record TrainingOptions
{
    public int Epochs { get; init; } = 20;

    public double LearningRate { get; init; } = 0.1;

    public double L2 { get; init; } = 1e-5;

    public int Seed { get; init; } = 20261202;
}
