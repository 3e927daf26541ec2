import Data
import Foundation
@testable import Evaluation
@testable import Training

/// A tiny class-conditional run with `eval.every` and the classifier it is measured with.
enum EvalFixtures {
    /// Trains a tiny classifier on 200 shapes16 images and writes it to `dir/classifier.h5`.
    static func classifier(in dir: String) throws -> String {
        let data = dir + "/shapes-for-classifier.h5"
        try BuiltinDatasets.writeFile("shapes16", count: 200, seed: 3, path: data)
        var o = ClassifierTrainingOptions(data: data, out: dir + "/classifier.h5")
        o.channels = [4, 8]; o.groups = 4; o.featureDimension = 8; o.epochs = 1; o.batch = 16
        _ = try ClassifierTraining.run(o)
        return o.out
    }

    /// 4 steps of a one-depth conditional UNet on shapes16, measured at steps 2 and 4 on 32
    /// samples (two groups of 16, so two ranks draw one each) with 2 Euler steps.
    static func yaml(classifier: String) -> String {
        """
        name: tiny-eval
        data:
          source: shapes16
          count: 64
        model:
          kind: unet
          unet:
            channels_per_depth: [8]
            num_blocks: 1
            attention_depths: []
            pos_dim: 8
            emb_dim: 16
            num_groups: 4
            num_classes: 4
        train:
          global_batch: 4
          steps: 4
          seed: 5
          log_every: 1
          sample_every: 0
          checkpoint_every: 0
        sample:
          sampler: euler
          steps: 4
          count: 0
          guidance: 1.5
        eval:
          every: 2
          count: 32
          steps: 2
          classifier: \(classifier)

        """
    }
}
