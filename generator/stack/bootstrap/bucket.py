"""The artifact bucket: the app stacks' Lambda zips and oversized templates. Versioned,
encrypted, closed to the public, TLS only, old versions and old releases expired, kept when
the stack is deleted (a stack being deployed may still need its release)."""

from __future__ import annotations

from dataclasses import dataclass

from awacs import s3 as s3_actions
from awacs.aws import Bool, Condition, Deny, Everybody, PolicyDocument, Principal, Statement
from troposphere import GetAtt, Parameter, Ref, Sub, Template, s3

from generator.stack import names, scanner_skips
from generator.stack.scanner_skips import checkov_metadata
from generator.stack.substitution import placeholder

# Multipart uploads a client began and never finished (an interrupted upload).
ABANDONED_UPLOAD_DAYS = 7


@dataclass(frozen=True)
class ArtifactBucket:
    bucket: s3.Bucket
    policy: s3.BucketPolicy

    @property
    def releases_arn(self) -> Sub:
        """The objects under the releases prefix."""
        return Sub(f"{placeholder(self.bucket, 'Arn')}/{names.ARTIFACT_PREFIX}/*")


def build(t: Template, *, noncurrent_days: Parameter, retention_days: Parameter) -> ArtifactBucket:
    bucket = t.add_resource(
        s3.Bucket(
            names.ARTIFACT_BUCKET_RESOURCE,
            DeletionPolicy="Retain",
            UpdateReplacePolicy="Retain",
            Metadata=checkov_metadata(scanner_skips.ARTIFACT_BUCKET_WITHOUT_ACCESS_LOG),
            VersioningConfiguration=s3.VersioningConfiguration(Status="Enabled"),
            BucketEncryption=s3.BucketEncryption(
                ServerSideEncryptionConfiguration=[
                    s3.ServerSideEncryptionRule(
                        ServerSideEncryptionByDefault=s3.ServerSideEncryptionByDefault(
                            SSEAlgorithm="AES256"
                        )
                    )
                ]
            ),
            PublicAccessBlockConfiguration=s3.PublicAccessBlockConfiguration(
                BlockPublicAcls=True,
                BlockPublicPolicy=True,
                IgnorePublicAcls=True,
                RestrictPublicBuckets=True,
            ),
            OwnershipControls=s3.OwnershipControls(
                Rules=[s3.OwnershipControlsRule(ObjectOwnership="BucketOwnerEnforced")]
            ),
            LifecycleConfiguration=s3.LifecycleConfiguration(
                Rules=[
                    s3.LifecycleRule(
                        Id="ExpireOldVersions",
                        Status="Enabled",
                        NoncurrentVersionExpiration=s3.NoncurrentVersionExpiration(
                            NoncurrentDays=Ref(noncurrent_days)
                        ),
                        AbortIncompleteMultipartUpload=s3.AbortIncompleteMultipartUpload(
                            DaysAfterInitiation=ABANDONED_UPLOAD_DAYS
                        ),
                    ),
                    s3.LifecycleRule(
                        Id="ExpireOldReleases",
                        Status="Enabled",
                        Prefix=f"{names.ARTIFACT_PREFIX}/",
                        ExpirationInDays=Ref(retention_days),
                    ),
                ]
            ),
        )
    )
    policy = t.add_resource(
        s3.BucketPolicy(
            names.ARTIFACT_BUCKET_POLICY,
            Bucket=Ref(bucket),
            PolicyDocument=PolicyDocument(
                Version="2012-10-17",
                Statement=[
                    Statement(
                        Sid="TlsOnly",
                        Effect=Deny,
                        Principal=Principal(Everybody),
                        Action=[s3_actions.Action("*")],
                        Resource=[GetAtt(bucket, "Arn"), Sub(f"{placeholder(bucket, 'Arn')}/*")],
                        Condition=Condition(Bool("aws:SecureTransport", "false")),
                    )
                ],
            ),
        )
    )
    return ArtifactBucket(bucket=bucket, policy=policy)
