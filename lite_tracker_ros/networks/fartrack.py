# Copyright 2026 lite_tracker_ros contributors
#
# Use of this source code is governed by an MIT-style
# license that can be found in the LICENSE file or at
# https://opensource.org/licenses/MIT.
"""
FARTrack (sparse): ViT-Tiny over five templates, the search crop and four coordinate queries.

Inference path of ``FARTrackSparse`` (MIV-XJTU/FARTrack, ``lib/models/fartrack_sparse``):

* tokens ``[5 x 49 template | 196 search | 4 queries]`` (445). A template token is its patch
  embedding + ``pos_embed_z0`` + ``identity[:, slot]``; a search token its patch embedding +
  ``identity[:, 5]`` + ``pos_embed_x``; query k is ``word_embeddings[bins*range + k]`` +
  ``position_embeddings[k]`` (commands x0, y0, x1, y1);
* 12 ``blocks`` then 3 ``extension`` blocks. Pruned template tokens are masked as keys in every
  attention and, through ``masknorm1/2`` (LayerNorm eps 1e-5), normalise to exactly the bias; the
  blocks' plain ``norm1/norm2`` are never read at inference but stay registered for strict loads;
* the final ``norm`` over the 4 queries, then logits against the tied embedding table
  (``x @ word_embeddings.weight.T + output_bias``, 605 classes); ``seqs`` is the per-query argmax
  of the softmax and ``class_prob`` its value;
* the pruning mask for the next frames: attention of the centre search token to the newest
  slot's 49 tokens, summed over the 15 layers and averaged over heads; the ``prune_ratio``
  lowest-attended tokens are dropped (ties broken by token index, as a stable ascending sort).
"""

from __future__ import annotations

from typing import Iterable, Optional, TYPE_CHECKING

import torch
from torch import nn

from lite_tracker_ros.core.model_spec import ModelSpec
from lite_tracker_ros.networks.base import TrackerNetwork
from lite_tracker_ros.networks.safe_unpickle import CheckpointError
from lite_tracker_ros.networks.vit import Attention, Mlp, PatchEmbed, VIT_LN_EPS

if TYPE_CHECKING:  # networks take their hyper-parameters from the caller, not from specs
    from lite_tracker_ros.specs.fartrack import FARTrackParams

#: epsilon of the reference's MaskedLayerNorm (the inner nn.LayerNorm default), not timm's 1e-6
MASKNORM_EPS = 1e-5
#: ``nn.Embedding(max_norm=1)`` of the word embeddings, and the epsilon torch's renorm adds
EMBEDDING_MAX_NORM = 1.0
_RENORM_EPS = 1e-7


def detect_fartrack(keys: Iterable[str]) -> Optional[str]:
    """
    Return ``'fartrack'`` for a FARTrackSparse checkpoint's keys, None for other families.

    The frame-level and distillation checkpoints (``FARTrack``, ``FARTrackDistill``) share the
    vocabulary but lack ``masknorm*``; they are refused with a message naming the right file.
    """
    keys = set(keys)
    if 'identity' not in keys or 'backbone.word_embeddings.weight' not in keys:
        return None
    if 'backbone.blocks.0.masknorm1.norm.weight' not in keys:
        raise CheckpointError('this is a FARTrack frame-level or distillation checkpoint (no '
                              'masknorm entries); the tracker needs the sparse release, '
                              'FARTrackSparse_ep0015.pth.tar')
    return 'fartrack'


def prune_mask(scores: torch.Tensor, prune_num: int) -> torch.Tensor:
    """
    Keep-mask (B, T) bool that drops the ``prune_num`` lowest of ``scores`` (B, T).

    A token's rank is the number of tokens that sort before it in a stable ascending sort, so
    this equals pruning ``argsort(scores)[:prune_num]`` and exports without sort or scatter.
    """
    order = torch.arange(scores.shape[-1], device=scores.device)
    earlier = order.unsqueeze(0) < order.unsqueeze(1)
    s_i = scores.unsqueeze(-1)
    s_j = scores.unsqueeze(-2)
    before = (s_j < s_i) | ((s_j == s_i) & earlier)
    return before.sum(dim=-1) >= prune_num


@torch.no_grad()
def renorm_embedding_rows_(weight: torch.Tensor, rows: range,
                           max_norm: float = EMBEDDING_MAX_NORM) -> None:
    """
    Apply ``nn.Embedding(max_norm=...)``'s in-place renorm to ``rows`` of ``weight``.

    Torch's rule: a looked-up row with L2 norm above ``max_norm`` is scaled by
    ``max_norm / (norm + 1e-7)``. Rows already within the bound are left as they are, so this
    is idempotent.
    """
    for r in rows:
        norm = weight[r].norm(2).item()
        if norm > max_norm:
            weight[r].mul_(max_norm / (norm + _RENORM_EPS))


class MaskedLayerNorm(nn.Module):
    """
    LayerNorm whose masked tokens come out as exactly ``bias`` (the reference's zero-fill).

    The parameters live in ``.norm`` to match the official ``masknorm{1,2}.norm.*`` names.
    """

    def __init__(self, dim: int, eps: float = MASKNORM_EPS):
        super().__init__()
        self.norm = nn.LayerNorm(dim, eps=eps)

    def forward(self, x: torch.Tensor, keep: torch.Tensor) -> torch.Tensor:
        return torch.where(keep.unsqueeze(-1), self.norm(x), self.norm.bias)


class MaskedBlock(nn.Module):
    """
    ViT block on the masknorm path; returns the attention probabilities too.

    ``norm1``/``norm2`` (timm eps 1e-6) are registered for strict loading but never read: the
    reference's inference path (``return_attention=True``) normalises with ``masknorm1/2``.
    """

    def __init__(self, dim: int, num_heads: int, mlp_ratio: float = 4.0):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=VIT_LN_EPS)
        self.masknorm1 = MaskedLayerNorm(dim)
        self.attn = Attention(dim, num_heads)
        self.norm2 = nn.LayerNorm(dim, eps=VIT_LN_EPS)
        self.masknorm2 = MaskedLayerNorm(dim)
        self.mlp = Mlp(dim, int(dim * mlp_ratio))

    def forward(self, x: torch.Tensor, keep: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        feat, probs = self.attn(self.masknorm1(x, keep), key_mask=keep)
        x = x + feat
        return x + self.mlp(self.masknorm2(x, keep)), probs


class FARTrackBackbone(nn.Module):
    """Parameters under the official ``backbone.*`` names; the forward lives in the network."""

    def __init__(self, params: FARTrackParams, n_z: int, n_x: int):
        super().__init__()
        dim = params.embed_dim
        self.word_embeddings = nn.Embedding(params.vocab_size, dim)
        self.position_embeddings = nn.Embedding(4, dim)
        self.output_bias = nn.Parameter(torch.zeros(params.vocab_size))
        # trajectory embeddings (3 previous boxes) of the sequence-training stage: the sparse
        # model ignores its trajectory input, but the checkpoint holds them
        self.prev_position_embeddings = nn.Embedding(12, dim)
        self.patch_embed = PatchEmbed(dim, params.patch_size)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, 197, dim))
        # The reference wraps ONE tensor in three Parameters. Registering one Parameter under the
        # three names keeps that: load_state_dict copies z, z0, z1 in this order into the same
        # storage, so pos_embed_z1 wins if a checkpoint ever held different values, as upstream.
        shared_z = nn.Parameter(torch.zeros(1, n_z, dim))
        self.pos_embed_z = shared_z
        self.pos_embed_z0 = shared_z
        self.pos_embed_z1 = shared_z
        self.pos_embed_x = nn.Parameter(torch.zeros(1, n_x, dim))
        self.blocks = nn.Sequential(
            *[MaskedBlock(dim, params.num_heads) for _ in range(params.depth)])
        self.extension = nn.Sequential(
            *[MaskedBlock(dim, params.num_heads) for _ in range(params.extension)])
        self.norm = nn.LayerNorm(dim, eps=VIT_LN_EPS)


class FARTrackNetwork(TrackerNetwork):
    """
    FARTrack's sparse network with the max-norm embedding renorm baked into the weights.

    ``params`` is a :class:`lite_tracker_ros.specs.fartrack.FARTrackParams`.

    The reference's ``word_embeddings`` has ``max_norm=1``: its first forward renormalises the
    looked-up command rows (``bins*range .. +3``) *in place*, and since the classifier is tied to
    the same table those renormed rows are what every logit sees. Here the renorm is applied once,
    when weights are loaded (a ``load_state_dict`` post-hook) and at construction, and the forward
    reads the table with a plain gather, so exported graphs carry no renorm.

    Template path: ``templates`` (B, 5, 3, 112, 112) normalised crops and ``template_mask``
    (B, 245) float, 1 = token kept, in slot order -> ``template_tokens``, ``template_keep``.
    Search path: ``search`` (B, 3, 224, 224) -> ``logits`` (B, 4, 605), ``seqs`` (B, 4) argmax
    token ids as float, ``class_prob`` (B, 4) and ``mask`` (B, 49) float, the keep-mask of the
    newest slot's tokens computed from this frame's attention.
    """

    #: batched search == single ones against one template selection (the per-frame template
    #: inputs are the template path's, so a batch of search crops shares them; the backend
    #: broadcasts the batch-1 cache): test/backends/test_torch_backend.py
    max_search_batch = 8

    def __init__(self, spec: ModelSpec, params: FARTrackParams):
        super().__init__()
        self.spec = spec
        self.params = params
        patch = params.patch_size
        self.n_per_template = (spec.template.size // patch) ** 2
        self.n_z = params.num_templates * self.n_per_template
        #: tokens of the newest slot pruned per frame: int(49 * 0.25) = 12 officially
        self.prune_num = int(self.n_per_template * params.prune_ratio)
        self.grid_x = spec.search.size // patch
        self.n_x = self.grid_x ** 2
        self.identity = nn.Parameter(torch.zeros(1, params.num_templates + 1, params.embed_dim))
        self.backbone = FARTrackBackbone(params, self.n_per_template, self.n_x)
        self.register_load_state_dict_post_hook(lambda module, _: module.bake_embedding_renorm())
        self.bake_embedding_renorm()

    def bake_embedding_renorm(self) -> None:
        """Renormalise the command rows of the tied table as the reference's first forward does."""
        first = self.params.num_bins
        renorm_embedding_rows_(self.backbone.word_embeddings.weight, range(first, first + 4))

    def forward_template(self, templates: torch.Tensor,
                         template_mask: torch.Tensor) -> dict[str, torch.Tensor]:
        bb = self.backbone
        b, slots = templates.shape[:2]
        z = bb.patch_embed(templates.flatten(0, 1)).reshape(b, slots, self.n_per_template, -1)
        z = z + bb.pos_embed_z0.unsqueeze(1) + self.identity[:, :slots].unsqueeze(2)
        keep = (template_mask > 0.5).to(z.dtype)
        return {'template_tokens': z.flatten(1, 2), 'template_keep': keep}

    def forward_features(self, cache: dict[str, torch.Tensor],
                         search: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """
        Return the query logits (B, 4, vocab) and the pruning scores (B, 49).

        The scores are the centre search token's attention to the newest slot's tokens, summed
        over all layers and averaged over heads.
        """
        bb = self.backbone
        z = cache['template_tokens']
        b = z.shape[0]
        x = bb.patch_embed(search) + self.identity[:, -1:] + bb.pos_embed_x
        first = self.params.num_bins
        queries = bb.word_embeddings.weight[first:first + 4] + bb.position_embeddings.weight
        tokens = torch.cat((z, x, queries.unsqueeze(0).expand(b, -1, -1)), dim=1)
        keep = torch.cat((cache['template_keep'] > 0.5,
                          torch.ones(b, tokens.shape[1] - self.n_z, dtype=torch.bool,
                                     device=tokens.device)), dim=1)
        centre = self.n_z + (self.grid_x // 2) * self.grid_x + self.grid_x // 2
        newest = slice(self.n_z - self.n_per_template, self.n_z)
        attn_sum = None
        for block in list(bb.blocks) + list(bb.extension):
            tokens, probs = block(tokens, keep)
            row = probs[:, :, centre, newest]
            attn_sum = row if attn_sum is None else attn_sum + row
        out = bb.norm(tokens[:, -4:])
        logits = torch.matmul(out, bb.word_embeddings.weight.t()) + bb.output_bias
        return logits, attn_sum.mean(dim=1)

    def forward_search(self, cache: dict[str, torch.Tensor],
                       search: torch.Tensor) -> dict[str, torch.Tensor]:
        logits, scores = self.forward_features(cache, search)
        class_prob, seqs = logits.softmax(dim=-1).max(dim=-1)
        mask = prune_mask(scores, self.prune_num)
        return {'logits': logits, 'seqs': seqs.to(logits.dtype), 'class_prob': class_prob,
                'mask': mask.to(logits.dtype)}


def network_for_spec(spec: ModelSpec) -> FARTrackNetwork:
    """Build the untrained network of ``spec`` (the family descriptor's network builder)."""
    from lite_tracker_ros.specs.fartrack import PARAMS
    return FARTrackNetwork(spec, PARAMS)
