"""Alternatives to the notebook's design, for the comparison tool: each one patches the notebook's
definitions.

The notebook holds only the design it uses. What was measured against it lives here, so that every
lever in `benchmarks/results/comparison.json` can be trained again:

    .venv/bin/python benchmarks/compare_configs.py train NAME --variant pixel_loss_only \
        [--set KEY=VALUE ...]

A variant is a function of the loaded notebook module that replaces some of its definitions; the
replacements hold while the network is built and trained, and are undone before it is evaluated, so
that every configuration is evaluated by the notebook's own code on the same validation samples.

"""

import contextlib
import math
import time

VARIANTS = {}


def variant(function):
    VARIANTS[function.__name__] = function
    return function


@contextlib.contextmanager
def applied(nb, names):
    """Apply the named variants to the notebook module `nb` for the duration of the block."""
    unknown = [name for name in names if name not in VARIANTS]
    if unknown:
        raise SystemExit(f"unknown variant(s) {unknown}; known: {sorted(VARIANTS)}")
    saved, undo = dict(vars(nb)), []
    try:
        for name in names:
            # a variant that changes more than the module returns how to undo it
            undo.append(VARIANTS[name](nb))
        yield
    finally:
        for key in set(vars(nb)) - set(saved):
            delattr(nb, key)
        vars(nb).update(saved)
        for restore in filter(None, undo):
            restore()


@variant
def pixel_loss_only(nb):
    """The teacher's loss: the squared pixel error alone, without the cross-entropy against the tent
    target."""
    original = nb.locator_loss

    def locator_loss(prediction, labels):
        _, squared_error = original(prediction, labels)  # (B,)
        return squared_error.mean() / nb.STRIDE**2, squared_error

    nb.locator_loss = locator_loss


@variant
def no_positional_encoding(nb):
    """Tokens carry no position: the positional encoding is all zeros."""
    encoding = nb.sinusoidal_positional_encoding
    nb.sinusoidal_positional_encoding = lambda *args, **kwargs: encoding(*args, **kwargs) * 0


@variant
def no_progressive_growth(nb):
    """Both heads trained together from scratch, for as many epochs as the two stages have together,
    with the stage-1 peak learning rate."""

    def train_two_stages(seed=nb.SEED, device="cpu", log=True):
        nb.torch.manual_seed(seed)
        data = nb.BatchedOddShapes(seed=seed, device=device)
        model = nb.build_model(with_offset_head=True).to(device)
        history = nb.train_stage(
            model, data, 2, nb.STAGE1_EPOCHS + nb.STAGE2_EPOCHS, nb.STAGE1_LR, [], log=log
        )
        return model.eval(), history

    nb.train_two_stages = train_two_stages


@variant
def crowded_training(nb):
    """Training scenes hold more base shapes (so more overlaps and merged silhouettes): half of
    every batch is drawn with 5 or 6 base shapes, the other half as the homework draws it (3 to 6).
    Evaluation is unchanged."""
    Batched = nb.BatchedOddShapes

    class CrowdedBatches(Batched):
        def sample(self, batch_size):
            crowded = batch_size // 2
            dense_range = (self.count_range[1] - 1, self.count_range[1])
            scenes = nb.cat_scenes(
                [
                    nb.sample_scenes(
                        batch_size - crowded, self.generator, self.count_range, self.radius_range
                    ),
                    nb.sample_scenes(crowded, self.generator, dense_range, self.radius_range),
                ]
            ).to(self.device)
            return nb.render_shapes(scenes, self.stamps), scenes.labels, scenes

    nb.BatchedOddShapes = CrowdedBatches


@variant
def separable_embedding(nb):
    """A cheaper CNN with the same geometry (12 x 12 tokens of 16 dims, 20 x 20 receptive fields,
    stride 4): the middle 3 x 3 convolution becomes depthwise (one 3 x 3 filter per channel)
    followed by a 1 x 1 convolution, about 8x fewer multiplications in that layer."""
    nn, F = nb.nn, nb.F

    class SeparableEmbedding(nb.ConvEmbedding):
        def __init__(self, channels=64):
            super().__init__(channels)
            self.middle = nn.Sequential(
                nn.Conv2d(channels, channels, kernel_size=3, groups=channels),  # RF 12 px
                nn.Conv2d(channels, channels, kernel_size=1),
            )

        def forward(self, images):  # (B, 1, 64, 64)
            x = F.gelu(self.patches(1.0 - images))  # (B, Ch, 16, 16)
            x = F.gelu(self.middle(x))  # (B, Ch, 14, 14)
            return self.tokens(x).flatten(2).transpose(1, 2)  # (B, 144, 16)

    nb.ConvEmbedding = SeparableEmbedding


def _replace_classification(nb, classification):
    """The locator loss with its cross-entropy term replaced by classification(logits, labels) ->
    ()."""

    def locator_loss(prediction, labels):
        squared_error = ((prediction.centre - labels) ** 2).sum(dim=1)  # (B,)
        return classification(
            prediction.logits, labels
        ) + squared_error.mean() / nb.STRIDE**2, squared_error

    nb.locator_loss = locator_loss


@variant
def gaussian_js_loss(nb):
    """DSNT-style map loss: Jensen-Shannon divergence between the probability map and a Gaussian of
    one token (4 px) standard deviation around the true centre, instead of the cross-entropy against
    the tent."""
    torch = nb.torch

    def classification(logits, labels):  # (B, 144), (B, 2)
        centres = nb.receptive_field_centres().to(labels.device)  # (144, 2)
        distance2 = ((centres[None] - labels[:, None]) ** 2).sum(
            -1
        ) / nb.STRIDE**2  # (B, 144) in tokens^2
        target = torch.softmax(-distance2 / 2, dim=-1)  # (B, 144) normalised Gaussian
        log_p = torch.log_softmax(logits, dim=-1)  # (B, 144)
        log_m = torch.log((log_p.exp() + target) / 2 + 1e-12)  # (B, 144)
        kl_p = (log_p.exp() * (log_p - log_m)).sum(-1)  # (B,)
        kl_t = (target * (torch.log(target + 1e-12) - log_m)).sum(-1)  # (B,)
        return (0.5 * (kl_p + kl_t)).mean()

    _replace_classification(nb, classification)


@variant
def focal_loss(nb, gamma=2.0):
    """Focal cross-entropy against the tent target: each token's term weighted by (1 - p)^gamma, so
    that confidently right tokens count less and hard samples more."""
    torch = nb.torch

    def classification(logits, labels):  # (B, 144), (B, 2)
        target = nb.target_distribution(labels)  # (B, 144)
        log_p = torch.log_softmax(logits, dim=-1)  # (B, 144)
        return -(target * (1 - log_p.exp()) ** gamma * log_p).sum(-1).mean()

    _replace_classification(nb, classification)


@variant
def continuous_schedule(nb):
    """Progressive growth without a second warm-up: one one-cycle schedule (peak STAGE1_LR) runs
    over both stages; at the switch the two-headed network takes over the optimiser's state of every
    copied weight, and the schedule goes on where it was."""
    torch = nb.torch

    def train_two_stages(seed=nb.SEED, device="cpu", log=True):
        torch.manual_seed(seed)
        data = nb.BatchedOddShapes(seed=seed, device=device)
        model, history = nb.build_model(with_offset_head=False).to(device), []
        full, rest = divmod(nb.SAMPLES_PER_EPOCH, nb.BATCH_SIZE)
        batches = [nb.BATCH_SIZE] * full + (
            [rest] if rest else []
        )  # one epoch, as train_stage draws it
        total = (nb.STAGE1_EPOCHS + nb.STAGE2_EPOCHS) * len(batches)
        optimizer = torch.optim.AdamW(model.parameters(), lr=nb.STAGE1_LR, weight_decay=1e-4)
        schedule = nb.one_cycle_schedule(optimizer, nb.STAGE1_LR, total)
        for stage, epochs in ((1, nb.STAGE1_EPOCHS), (2, nb.STAGE2_EPOCHS)):
            if stage == 2:
                old = dict(model.named_parameters())
                model, _ = nb.grow_to_two_heads(model)
                state = {name: optimizer.state[parameter] for name, parameter in old.items()}
                optimizer = torch.optim.AdamW(
                    model.parameters(), lr=nb.STAGE1_LR, weight_decay=1e-4
                )
                for name, parameter in model.named_parameters():
                    if name in state:
                        optimizer.state[parameter] = state[name]
                done = schedule.last_epoch
                schedule = nb.one_cycle_schedule(optimizer, nb.STAGE1_LR, total)
                for _ in range(done):
                    # no gradients yet: nothing moves; this only keeps the scheduler's
                    # order of calls
                    optimizer.step()
                    schedule.step()
            model.train()
            for epoch in range(1, epochs + 1):
                squared_error_sum, start = 0.0, time.perf_counter()
                for size in batches:
                    images, labels, _ = data.sample(size)
                    loss, squared_error = nb.locator_loss(model(images), labels)
                    optimizer.zero_grad(set_to_none=True)
                    loss.backward()
                    nb.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
                    optimizer.step()
                    schedule.step()
                    squared_error_sum += float(squared_error.detach().sum())
                history.append(
                    dict(
                        stage=stage,
                        epoch=epoch,
                        rmse=math.sqrt(squared_error_sum / (2 * nb.SAMPLES_PER_EPOCH)),
                        lr=schedule.get_last_lr()[0],
                        elapsed=time.perf_counter() - start,
                        samples=nb.SAMPLES_PER_EPOCH,
                    )
                )
        return model.eval(), history

    nb.train_two_stages = train_two_stages


@variant
def token_type_auxiliary(nb, weight=1.0):
    """An auxiliary target aimed at wrong picks on merged base silhouettes: a linear head on every
    token's final features predicts, for each of the three shape types, the share of the token's own
    4 x 4 cell (around its receptive-field centre) that is ink of that type. The classifier's
    features must then say what kind of ink each token sees, whether shapes overlap there or not.
    Training only: evaluation uses the unchanged network. Measured at 8 + 22 epochs
    (benchmarks/levers.json): within the training seeds' spread."""
    nn, F = nb.nn, nb.F
    last = {}  # the scenes of the batch just drawn, for the loss

    class WithTypeHead(nb.OddShapeLocator):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.type_head = nn.Linear(nb.TOKEN_DIM, len(nb.SHAPE_TYPES))

        def forward(self, images, return_attention=False):
            captured = {}
            hook = self.head_norm.register_forward_hook(
                lambda module, inputs, output: captured.update(features=output)
            )
            try:
                prediction = super().forward(images, return_attention)
            finally:
                hook.remove()
            if self.training:  # evaluation sees the plain network
                prediction.type_logits = self.type_head(captured["features"])  # (B, 144, 3)
            return prediction

    Batched = nb.BatchedOddShapes

    class RememberingBatches(Batched):
        def sample(self, batch_size):
            images, labels, scenes = super().sample(batch_size)
            last.update(scenes=scenes, stamps=self.stamps)
            return images, labels, scenes

    def type_shares(scenes, stamps):
        """(B, 144, 3): per token, the share of its 4 x 4 cell (pixels 4i + 8 .. 4i + 11) inked by
        each type. A scene has one base type and one odd type, so the two masks of `shape_masks`
        hold every type's ink."""
        first = (nb.RECEPTIVE_FIELD - nb.STRIDE) // 2  # 8, as in token_classes
        cells = slice(first, first + nb.GRID * nb.STRIDE)  # pixels 8 .. 55
        odd, base = (
            F.avg_pool2d(mask[:, None, cells, cells].float(), nb.STRIDE).flatten(1)  # (B, 144) each
            for mask in nb.shape_masks(scenes, stamps)
        )
        types = len(nb.SHAPE_TYPES)
        return (
            base[:, :, None] * F.one_hot(scenes.types[:, 0], types)[:, None]  # (B, 144, 3)
            + odd[:, :, None] * F.one_hot(scenes.types[:, -1], types)[:, None]
        )

    original = nb.locator_loss

    def locator_loss(prediction, labels):
        loss, squared_error = original(prediction, labels)
        target = type_shares(last["scenes"], last["stamps"])  # (B, 144, 3)
        auxiliary = F.binary_cross_entropy_with_logits(
            prediction.type_logits, target, reduction="none"
        )
        return loss + weight * auxiliary.sum(-1).mean(), squared_error

    nb.OddShapeLocator, nb.BatchedOddShapes, nb.locator_loss = (
        WithTypeHead,
        RememberingBatches,
        locator_loss,
    )


@variant
def convolutions_as_matrix_products(nb):
    """The two 3 x 3 convolutions computed as one matrix product each over the 9 shifted copies of
    their input (im2col), so that no oneDNN convolution runs: the arithmetic no longer depends on
    oneDNN's choice of kernels by instruction set. The same numbers up to rounding (measured for
    speed in the README)."""
    F = nb.F

    def as_matrix_product(x, convolution):  # x (B, C, S, S) -> (B, O, S - 2, S - 2)
        size = x.shape[-1] - 2
        shifted = [x[:, :, i : i + size, j : j + size] for i in range(3) for j in range(3)]
        columns = nb.torch.stack(shifted, dim=2).flatten(1, 2)  # (B, C * 9, S - 2, S - 2)
        kernel = convolution.weight.flatten(1)  # (O, C * 9) in (C, 3, 3) order
        return nb.torch.einsum("ok,bkhw->bohw", kernel, columns) + convolution.bias[:, None, None]

    class MatrixProductEmbedding(nb.ConvEmbedding):
        def forward(self, images):  # (B, 1, 64, 64)
            x = F.gelu(self.patches(1.0 - images))  # (B, Ch, 16, 16)
            x = F.gelu(as_matrix_product(x, self.middle))  # (B, Ch, 14, 14)
            return as_matrix_product(x, self.tokens).flatten(2).transpose(1, 2)  # (B, 144, 16)

    nb.ConvEmbedding = MatrixProductEmbedding


@variant
def without_onednn(nb):
    """PyTorch's own convolution code instead of oneDNN's
    (torch.backends.mkldnn.enabled = False)."""
    previous = nb.torch.backends.mkldnn.enabled
    nb.torch.backends.mkldnn.enabled = False
    return lambda: setattr(nb.torch.backends.mkldnn, "enabled", previous)


@variant
def mean_attention(nb):
    """Attention replaced by the mean of the tokens: every token receives the same uniform mixture
    of all 144 values (softmax weights fixed at 1/144). Tests whether the block only needs "what all
    shapes look like"."""

    class MeanAttention(nb.SelfAttention):
        def forward(self, x):  # x (B, 144, 16)
            mixture = self.value(x).mean(
                dim=1, keepdim=True
            )  # (B, 1, H * Dh): one mixture per image
            size = (len(x), self.num_heads, nb.NUM_TOKENS, nb.NUM_TOKENS)
            attention = x.new_full(size, 1 / nb.NUM_TOKENS)  # (B, H, 144, 144) uniform
            return self.output(mixture).expand(-1, nb.NUM_TOKENS, -1), attention  # (B, 144, 16)

    nb.SelfAttention = MeanAttention


@variant
def no_attention(nb):
    """The transformer block without its attention term: x + MLP(LN(x)) alone, so no token reads
    another."""

    class BlockWithoutAttention(nb.TransformerBlock):
        def forward(self, tokens):  # tokens (B, 144, 16)
            tokens = tokens + self.feedforward(self.feedforward_norm(tokens))  # (B, 144, 16)
            size = (len(tokens), self.attention.num_heads, nb.NUM_TOKENS, nb.NUM_TOKENS)
            return tokens, tokens.new_zeros(size)  # no token reads another

    nb.TransformerBlock = BlockWithoutAttention


@variant
def wide_classifier(nb, hidden=256):
    """Capacity where the decision is made: the token-wise classifier's hidden layer 4x wider (256
    instead of MLP_HIDDEN = 64); the offset head and the block's MLP keep their width."""
    Locator = nb.OddShapeLocator

    class WideClassifier(Locator):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.classifier = nb.token_mlp(1, hidden)

    nb.OddShapeLocator = WideClassifier


@variant
def hard_example_replay(nb, share=0.25):
    """Online hard-example mining: a quarter of every batch replays the hardest quarter-batch of the
    previous batch's fresh samples (largest loss: tent cross-entropy + squared error / 16), redrawn
    from their scenes; the other three quarters are fresh. The same number of samples per step and
    per epoch as the notebook, so the same compute; each hard sample is seen twice, and 25% fewer
    fresh scenes are drawn."""
    F = nb.F
    state = {}  # the scenes of the last batch, and the hard scenes to replay

    class ReplayingBatches(nb.BatchedOddShapes):
        def sample(self, batch_size):
            hard = state.pop("hard", None)
            replayed = 0 if hard is None else min(len(hard), int(batch_size * share))
            fresh = nb.sample_scenes(
                batch_size - replayed, self.generator, self.count_range, self.radius_range
            )
            scenes = fresh if not replayed else nb.cat_scenes([fresh, hard[:replayed]])
            scenes = scenes.to(self.device)
            state.update(scenes=scenes, fresh=batch_size - replayed, keep=int(batch_size * share))
            return nb.render_shapes(scenes, self.stamps), scenes.labels, scenes

    def locator_loss(prediction, labels):
        target = nb.target_distribution(labels)  # (B, 144)
        classification = F.cross_entropy(prediction.logits, target, reduction="none")  # (B,)
        squared_error = ((prediction.centre - labels) ** 2).sum(dim=1)  # (B,) px^2
        per_sample = classification + squared_error / nb.STRIDE**2  # (B,)
        if "scenes" in state:  # training, not a test call
            fresh = per_sample[: state["fresh"]].detach()  # (fresh,)
            hardest = fresh.topk(min(state["keep"], len(fresh))).indices.cpu()  # (keep,)
            state["hard"] = state.pop("scenes").to("cpu")[hardest]
        return per_sample.mean(), squared_error

    nb.BatchedOddShapes, nb.locator_loss = ReplayingBatches, locator_loss


def posterior_tent(nb, scenes, stamps):
    """(B, 144) the tent of every centre the odd shape could have, weighted by its posterior given
    the image and the exact base shapes (the notebook's odd_centre_posterior): the tent of the true
    centre where that is the only one."""
    torch = nb.torch
    y, x = torch.meshgrid(
        *[torch.arange(nb.IMAGE_SIZE, dtype=torch.float64)] * 2, indexing="ij"
    )  # (64, 64) each
    pixel_tents = nb.target_distribution(
        torch.stack([x, y], dim=-1).view(-1, 2)
    )  # (4096, 144) rows = y
    posterior = nb.odd_centre_posterior(scenes.to("cpu"), stamps.cpu())  # (B, 64, 64) rows = y
    return (posterior.flatten(1) @ pixel_tents).float()  # (B, 144)


@variant
def posterior_target(nb):
    """Posterior targets: the classifier's target is the tent of every centre the odd shape could
    have, weighted by its posterior given the image and the exact base shapes (the lower bound's
    posterior, section 9), instead of the tent of the one true centre. Where the odd shape is in
    plain view the two are the same; where it is covered, the target spreads over the places the
    image cannot rule out. The squared-error term still measures the distance to the true centre."""
    F = nb.F
    last = {}  # the scenes of the batch just drawn, for the loss

    class RememberingBatches(nb.BatchedOddShapes):
        def sample(self, batch_size):
            images, labels, scenes = super().sample(batch_size)
            last.update(scenes=scenes, stamps=self.stamps)
            return images, labels, scenes

    def locator_loss(prediction, labels):
        target = posterior_tent(nb, last["scenes"], last["stamps"]).to(labels.device)  # (B, 144)
        classification = F.cross_entropy(prediction.logits, target)  # () batch mean
        squared_error = ((prediction.centre - labels) ** 2).sum(dim=1)  # (B,) px^2
        return classification + squared_error.mean() / nb.STRIDE**2, squared_error

    nb.BatchedOddShapes, nb.locator_loss = RememberingBatches, locator_loss
