"""factory_boy factories shared by every test package."""

from datetime import timedelta

import factory
from allauth.account.models import EmailAddress
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from communities.models import Community, Membership, Organization, OrganizationStaff

TEST_PASSWORD = "correct horse battery staple"  # noqa: S105


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.test")
    display_name = factory.Sequence(lambda n: f"Person {n}")
    handle = factory.Sequence(lambda n: f"person{n}")

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or TEST_PASSWORD)
        if create:
            obj.save(update_fields=["password"])
            EmailAddress.objects.create(user=obj, email=obj.email, primary=True, verified=True)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Firm {n}")
    slug = factory.Sequence(lambda n: f"firm-{n}")


class OrganizationStaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganizationStaff

    organization = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(UserFactory)


class CommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Community

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Community {n}")
    slug = factory.Sequence(lambda n: f"community-{n}")
    tagline = "People making things together."
    visibility = Community.Visibility.PUBLIC
    join_policy = Community.JoinPolicy.OPEN


# Test members joined a while ago, so they are established (moderation.trust): not
# pre-moderated and on the usual rate limits. Tests of new members pass joined_at=now.
ESTABLISHED_DAYS_AGO = 30


class MembershipFactory(factory.django.DjangoModelFactory):
    """A membership row written directly; keeps ``member_count`` in step for active rows.
    Active memberships default to ``joined_at`` ESTABLISHED_DAYS_AGO days ago."""

    class Meta:
        model = Membership

    community = factory.SubFactory(CommunityFactory)
    user = factory.SubFactory(UserFactory)
    role = Membership.Role.MEMBER
    status = Membership.Status.ACTIVE

    @classmethod
    def _create(cls, model_class, *args, **kwargs):

        if kwargs.get("status") == Membership.Status.ACTIVE:
            kwargs.setdefault("joined_at", timezone.now() - timedelta(days=ESTABLISHED_DAYS_AGO))
        obj = super()._create(model_class, *args, **kwargs)
        if obj.status == Membership.Status.ACTIVE:
            Community.objects.filter(pk=obj.community_id).update(member_count=F("member_count") + 1)
            obj.community.refresh_from_db(fields=["member_count"])
        return obj
