"""Tags on user pools: TagResource, UntagResource, ListTagsForResource."""

from __future__ import annotations

from typing import Any

from poolgate.awsjson.registry import Params, operation
from poolgate.core.context import Context
from poolgate.core.pools import pools


@operation("TagResource")
async def tag_resource(ctx: Context, params: Params) -> dict[str, Any]:
    await pools.tag_pool(ctx, params["ResourceArn"], params.get("Tags") or {})
    return {}


@operation("UntagResource")
async def untag_resource(ctx: Context, params: Params) -> dict[str, Any]:
    await pools.untag_pool(ctx, params["ResourceArn"], params.get("TagKeys") or [])
    return {}


@operation("ListTagsForResource")
async def list_tags_for_resource(ctx: Context, params: Params) -> dict[str, Any]:
    return {"Tags": await pools.pool_tags(ctx, params["ResourceArn"])}
